"""`configure` sets the LAN/same-host settings when the peers' NAMES resolve to loopback/this machine or to one
shared address (issue 11.2), looked up through a real DNS server on loopback (--nameserver)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.servers


def pmw(*argv: str) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, timeout=120,
                       check=False)
    assert r.returncode == 0, f"{argv}: {r.stdout}\n{r.stderr}"
    return r


def setup(tmp_path: Path, hostnames: list[str]) -> tuple[Path, list[str], Path]:
    cards = []
    for i, host in enumerate(hostnames):
        home = tmp_path / f"n{i}"
        pmw("identity", "init", "--home", str(home))
        card = tmp_path / f"c{i}.json"
        pmw("card", "export", "--hostname", host, "--name", f"n{i}", "--home", str(home), "-o", str(card))
        cards.append(str(card))
    genesis = tmp_path / "genesis.json"
    pmw("genesis", "new", *cards, "-o", str(genesis))
    return tmp_path / "n0", cards, genesis


def preview(home: Path, cards: list[str], genesis: Path, *extra: str) -> list[str]:
    return pmw("configure", "--genesis", str(genesis), "--peers", *cards, "--home", str(home), "--check",
               *extra).stdout.splitlines()


def test_peer_names_resolving_to_loopback_get_the_lan_settings(tmp_path: Path, knot) -> None:
    home, cards, genesis = setup(tmp_path, ["m1.net.test", "m2.net.test", "m3.net.test"])
    lines = preview(home, cards, genesis, "--nameserver", f"127.0.0.1:{knot.port}")
    assert "+allow_duplicate_ip = true" in lines and "+addr_book_strict = false" in lines
    assert any("resolves to the private or loopback address 127.0.0.1" in line for line in lines), lines


def test_peer_names_sharing_one_public_address_get_them_and_distinct_ones_do_not(tmp_path: Path, knot) -> None:
    # www.good.test and host.caa.test both resolve to 8.8.8.8 (two nodes behind one NAT address)
    home, cards, genesis = setup(tmp_path, ["v4only.good.test", "www.good.test", "host.caa.test"])
    lines = preview(home, cards, genesis, "--nameserver", f"127.0.0.1:{knot.port}")
    assert "+allow_duplicate_ip = true" in lines
    assert any("www.good.test, host.caa.test share one address (8.8.8.8)" in line for line in lines), lines
    (tmp_path / "distinct").mkdir()
    home, cards, genesis = setup(tmp_path / "distinct", ["v4only.good.test", "www.good.test"])
    lines = preview(home, cards, genesis, "--nameserver", f"127.0.0.1:{knot.port}")
    assert not any("allow_duplicate_ip" in line for line in lines), lines


def test_metrics_preview_turns_on_prometheus_and_a_bad_address_is_refused(tmp_path: Path) -> None:
    home, cards, genesis = setup(tmp_path, ["127.0.0.1", "127.0.0.2"])
    lines = preview(home, cards, genesis, "--metrics", "127.0.0.1:26660")
    assert "+[instrumentation]" in lines and "+prometheus = true" in lines
    assert '+prometheus_listen_addr = "127.0.0.1:26660"' in lines
    before = (home / "config" / "config.toml").read_bytes() if (home / "config" / "config.toml").exists() else None
    r = subprocess.run([sys.executable, "-m", "pmwizard", "configure", "--genesis", str(genesis), "--home", str(home),
                        "--metrics", "nonsense", "--yes"], capture_output=True, text=True, check=False)
    assert r.returncode == 1 and "--metrics" in r.stderr and "Traceback" not in r.stderr
    after = (home / "config" / "config.toml").read_bytes() if (home / "config" / "config.toml").exists() else None
    assert before == after
