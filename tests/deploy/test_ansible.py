"""`pmwizard export ansible`, proven by Ansible itself: the playbook passes `--syntax-check` and `ansible-lint`
(offline, production profile), then really runs with a local connection into a temporary prefix on loopback
ports: Tarantool (Debian), Planetmint 2.5.3 (its venv, already installed: nothing is downloaded) and the
Tendermint 0.34 binary, supervised by Monit, until `pmwizard doctor --json` passes. A second run changes
nothing, the key files keep their hashes, pmwizard's own renderers find nothing to change on what the play
delivered, and `--check --diff` after a new export shows the change `pmwizard configure --check` shows."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmwizard.core import keys
from tests.deploy.support import files_with_key, make_member, pmw, tool
from tests.hardening.test_no_key_leak import secret_forms
from tests.support.ports import free_port
from tests.support.require import planetmint_venv, require_binary, tendermint_binary

pytestmark = [pytest.mark.e2e, pytest.mark.servers]
ABCI_PORT = 26658  # Planetmint's ABCI server always listens here
KEY_FILES = (keys.VALIDATOR_KEY, keys.NODE_KEY)  # the state file moves on as the node signs
PID_FILES = ("monit.pid", "planetmint.pid", "tendermint.pid", "tarantool.pid")  # Monit first: no restarts
HOSTNAME = "node.alice.example"
INIT_LUA = Path("backend/tarantool/opt/init.lua")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            tree.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return tree


def stop_started(folder: Path) -> None:
    """Stop what the play started (Monit, planetmint, tendermint, Tarantool) and their children: only the
    processes named by the pid files in `folder`."""
    tree = _children()
    pids: list[int] = []
    for name in PID_FILES:
        with contextlib.suppress(OSError, ValueError):
            todo = [int((folder / name).read_text().strip())]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                todo += tree.get(pid, [])
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
        time.sleep(0.1)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def hashes(home: Path) -> dict[str, str]:
    return {rel: hashlib.sha256((home / rel).read_bytes()).hexdigest() for rel in KEY_FILES}


class Deployment:
    """The export, the prefix it targets, and how to run ansible-playbook on it."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.venv = planetmint_venv()
        self.tendermint = tendermint_binary()
        for name in ("tarantool", "monit"):
            require_binary(name)
        self.ports = {k: free_port() for k in ("p2p", "tarantool", "api", "ws", "rpc", "monit")}
        self.member = make_member(base, "127.0.0.1", self.ports["p2p"])
        self.prefix = base / "prefix"
        for sub in ("bin", "nginx"):
            (self.prefix / sub).mkdir(parents=True)
        self.out = base / "export"
        self.first: subprocess.CompletedProcess[str] | None = None  # the module's first real run
        self.env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
                        ANSIBLE_LOCAL_TEMP=str(base / "ansible-tmp"), ANSIBLE_REMOTE_TEMP=str(base / "ansible-tmp"),
                        ANSIBLE_HOME=str(base / "ansible-home"), ANSIBLE_RETRY_FILES_ENABLED="0",
                        ANSIBLE_PIPELINING="1")

    @property
    def home(self) -> Path:
        return self.prefix / "tendermint"

    @property
    def services(self) -> Path:
        return self.prefix / "svc"

    def layout_args(self) -> list[str]:
        p = self.ports
        init_lua = next(self.venv.glob("lib/python3*/site-packages/planetmint")) / INIT_LUA
        return ["--home", str(self.member.home), "--genesis", str(self.member.genesis), "--peers",
                str(self.member.card), "--hostname", HOSTNAME, "--init-lua", str(init_lua),
                "--node-home", str(self.home), "--services-folder", str(self.services),
                "--planetmint-config", str(self.prefix / "planetmint.json"),
                "--nginx-site", str(self.prefix / "nginx" / "planetmint"), "--planetmint-venv", str(self.venv),
                "--tendermint-source", self.tendermint, "--tendermint-path", str(self.prefix / "bin" / "tendermint"),
                "--tarantool-port", str(p["tarantool"]), "--api-port", str(p["api"]), "--ws-port", str(p["ws"]),
                "--rpc-port", str(p["rpc"]), "--monit-http-port", str(p["monit"]),
                "--local", "--inventory-host", "localhost"]

    def export(self, *extra: str) -> str:
        return pmw("export", "ansible", *self.layout_args(), "-o", str(self.out), "--yes", *extra, env=self.env)

    def play(self, *extra: str) -> subprocess.CompletedProcess[str]:
        argv = [tool("ansible-playbook"), "-i", "inventory.ini", "playbook.yml",
                "-e", "pmwizard_install_packages=false", "-e", "pmwizard_manage_nginx=false",
                "-e", json.dumps({"pmwizard_command": [sys.executable, "-m", "pmwizard"],
                                  "ansible_python_interpreter": sys.executable}), *extra]
        return subprocess.run(argv, cwd=self.out, capture_output=True, text=True, timeout=600, env=self.env,
                              check=False)


def recap(result: subprocess.CompletedProcess[str]) -> dict[str, int]:
    match = re.search(r"^localhost\s+:\s+(.*)$", result.stdout, re.MULTILINE)
    assert match, result.stdout[-3000:] + result.stderr[-3000:]
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", match.group(1))}


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    d = Deployment(tmp_path_factory.mktemp("ansible"))
    d.export()
    deadline = time.monotonic() + 180
    while _listening(ABCI_PORT):  # another real-stack test's Planetmint: wait for it, bounded
        assert time.monotonic() < deadline, f"port {ABCI_PORT} stays busy; Planetmint's ABCI server needs it"
        time.sleep(1)
    try:
        d.first = d.play()
        yield d
    finally:
        stop_started(d.services)


def test_syntax_check_and_lint_offline(tmp_path: Path) -> None:
    d = Deployment(tmp_path)
    d.export()
    syntax = d.play("--syntax-check")
    assert syntax.returncode == 0, syntax.stdout + syntax.stderr
    lint = subprocess.run([tool("ansible-lint"), "--offline", "playbook.yml"], cwd=d.out, capture_output=True,
                          text=True, timeout=300, env=d.env, check=False)
    assert lint.returncode == 0 and "0 failure(s), 0 warning(s)" in lint.stdout + lint.stderr, \
        lint.stdout + lint.stderr
    assert files_with_key(d.out, d.member.home) == [], "the export holds no private key"


def test_first_run_brings_the_node_up_and_the_doctor_passes(deployed: Deployment) -> None:
    first = deployed.first
    assert first is not None
    counts = recap(first)
    assert first.returncode == 0 and counts["failed"] == 0 and counts["changed"] > 0, first.stdout[-4000:]
    assert "TASK [The doctor checks this node" in first.stdout
    order = [first.stdout.index(f"RUNNING HANDLER [Restart {name}]") for name in ("Tarantool", "Planetmint",
                                                                                  "Tendermint")]
    assert order == sorted(order), "handlers restart Tarantool, then Planetmint, then Tendermint"
    assert hashes(deployed.home) == hashes(deployed.member.home), "keys arrive unchanged"
    for rel in (keys.VALIDATOR_KEY, keys.NODE_KEY):
        assert (deployed.home / rel).stat().st_mode & 0o777 == 0o600
    assert files_with_key(deployed.out, deployed.member.home) == []
    p = deployed.ports
    doctor = json.loads(pmw("doctor", "--json", "--home", str(deployed.home), "--p2p-port", str(p["p2p"]),
                            "--tarantool-port", str(p["tarantool"]), "--api-port", str(p["api"]),
                            "--rpc", f"local=http://127.0.0.1:{p['rpc']}"))
    codes = {f["check"]: f["code"] for f in doctor["findings"]}
    assert doctor["summary"]["fail"] == 0 and codes["p2p.handshake"] == "ok" and codes["rpc.status"] == "ok"
    assert codes["api.planetmint"] == "ok" and codes["tarantool"] == "ok", codes


def test_second_run_changes_nothing_and_keys_keep_their_hashes(deployed: Deployment) -> None:
    before = hashes(deployed.home)
    second = deployed.play()
    counts = recap(second)
    assert second.returncode == 0 and counts["failed"] == 0 and counts["changed"] == 0, second.stdout[-4000:]
    assert hashes(deployed.home) == before == hashes(deployed.member.home)


def test_pmwizard_finds_nothing_to_change_on_what_the_play_delivered(deployed: Deployment) -> None:
    """The play delivered the bytes pmwizard renders: its own plans for that machine are empty."""
    from pmwizard.core.tmconfig import configure_plan
    from pmwizard.render.plans import services_plan

    d, p = deployed, deployed.ports
    services = services_plan(d.home, HOSTNAME, folder=d.services, nginx_site=d.prefix / "nginx" / "planetmint",
                             planetmint_config_path=d.prefix / "planetmint.json",
                             planetmint_bin=str(d.venv / "bin" / "planetmint"),
                             tendermint_bin=str(d.prefix / "bin" / "tendermint"),
                             init_lua=str(d.services / "planetmint-init.lua"), tarantool_port=p["tarantool"],
                             monit_http_port=p["monit"], api_port=p["api"], ws_port=p["ws"], rpc_port=p["rpc"],
                             supervise_tarantool=False)  # the play starts Tarantool itself, Monit the other two
    assert len(services.changes) == 5 and services.pending == [], services.diff()
    from pmwizard.core.cards import read_cards

    cards = [c.card for c in read_cards(d.member.card) if c.card]
    tm = configure_plan(d.home, d.member.genesis, peers=cards, rpc_laddr=f"tcp://127.0.0.1:{p['rpc']}")
    assert len(tm.changes) == 2 and tm.pending == [], tm.diff()


def test_a_fail_from_the_doctor_fails_the_play(deployed: Deployment) -> None:
    """The doctor's task alone, told Tarantool is on a port where nothing listens: its FAIL fails the play."""
    p = deployed.ports
    args = ["doctor", "--json", "--home", str(deployed.home), "--p2p-port", str(p["p2p"]), "--tarantool-port",
            str(free_port()), "--api-port", str(p["api"]), "--rpc", f"local=http://127.0.0.1:{p['rpc']}"]
    run = deployed.play("--start-at-task", "The doctor checks this node (P2P handshake, RPC, API, Tarantool); "
                        "any FAIL fails the play", "-e", json.dumps({"pmwizard_doctor_args": args}))
    counts = recap(run)
    assert run.returncode != 0 and counts["failed"] == 1 and counts["ok"] == 0, run.stdout[-3000:]
    failed = run.stdout.split("TASK [The doctor", 1)[1]
    assert "fatal: [localhost]" in failed and "tarantool" in failed and "unreachable" in failed, failed[-3000:]


def _changed_lines(diff: str) -> list[str]:
    return sorted(line for line in diff.splitlines()
                  if line.startswith(("+", "-")) and not line.startswith(("+++", "---")))


def test_check_diff_shows_the_change_pmwizards_preview_shows(deployed: Deployment) -> None:
    d, p = deployed, deployed.ports
    config = d.home / "config" / "config.toml"
    before = config.read_bytes()
    preview = pmw("configure", "--home", str(d.home), "--genesis", str(d.member.genesis), "--peers",
                  str(d.member.card), "--moniker", "alice-two", "--rpc-laddr", f"tcp://127.0.0.1:{p['rpc']}",
                  "--check", env=d.env)
    d.export("--moniker", "alice-two")
    dry = d.play("--check", "--diff")
    counts = recap(dry)
    assert dry.returncode == 0 and counts["failed"] == 0 and counts["changed"] >= 1, dry.stdout[-4000:]
    want = _changed_lines(preview)
    assert want and any("alice-two" in line for line in want), preview
    section = dry.stdout.split("TASK [Node file config.toml", 1)[1].split("TASK [", 1)[0]
    assert _changed_lines(section) == want, section
    assert config.read_bytes() == before, "--check wrote nothing"
    assert files_with_key(d.out, d.member.home) == [] and "priv_key" not in dry.stdout


def test_the_play_refuses_a_tendermint_binary_with_another_checksum(tmp_path: Path) -> None:
    d = Deployment(tmp_path)
    d.export()
    run = d.play("-e", "pmwizard_tendermint_sha256=" + "0" * 64)
    counts = recap(run)
    assert run.returncode != 0 and counts["failed"] == 1, run.stdout[-3000:]
    assert "is not the Tendermint binary with SHA-256 " + "0" * 64 in run.stdout
    assert not d.home.exists() and not (d.prefix / "bin" / "tendermint").exists(), "nothing delivered"


def test_bad_input_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    d = Deployment(tmp_path)
    argv = [sys.executable, "-m", "pmwizard", "export", "ansible", *d.layout_args(), "-o", str(d.out)]
    check = subprocess.run([*argv, "--check"], capture_output=True, text=True, timeout=60, env=d.env, check=False)
    assert check.returncode == 0 and "+++ b" + str(d.out / "playbook.yml") in check.stdout and not d.out.exists()
    for bad, option in ((["--tendermint-sha256", "ab" * 32], "--tendermint-sha256"),
                        (["--node-home", "relative/home"], "--node-home"),
                        (["--inventory-host", "two words"], "--inventory-host"),
                        (["--tendermint-source", "https://example.invalid/tm"], "--tendermint-sha256")):
        r = subprocess.run([*argv, *bad, "--yes"], capture_output=True, text=True, timeout=60, env=d.env, check=False)
        assert r.returncode == 1 and option in r.stderr and "Traceback" not in r.stderr, (bad, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and not d.out.exists(), r.stderr


def test_config_toml_is_validated_by_tendermint_before_it_replaces_the_old_one(tmp_path: Path) -> None:
    import yaml

    d = Deployment(tmp_path)
    d.export()
    (play,) = yaml.safe_load((d.out / "playbook.yml").read_text().replace("!unsafe", ""))
    task = next(t for t in play["tasks"] if t["name"].startswith("Node file config.toml"))
    assert task["ansible.builtin.copy"]["validate"].startswith("/bin/sh {{ pmwizard_services_folder }}/check-config")
    script = d.out / "files" / "check-config-toml.sh"
    good = d.out / "files" / "config.toml"
    bad = tmp_path / "bad.toml"
    bad.write_text(re.sub(r"^send_rate = .*$", "send_rate = -5", good.read_text(), count=1, flags=re.MULTILINE))

    def check(candidate: Path, binary: str = d.tendermint) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["/bin/sh", str(script), binary, str(d.member.home), str(candidate)],
                              capture_output=True, text=True, timeout=60, check=False)

    assert check(good).returncode == 0, check(good).stderr
    refused = check(bad)
    assert refused.returncode == 1 and "send_rate can't be negative" in refused.stderr
    assert check(good, str(tmp_path / "no-such-tendermint")).returncode == 1


def test_a_key_already_on_the_machine_is_never_replaced(tmp_path: Path) -> None:
    """`--tags keys` on a machine whose node key differs from the home's: that file stays as it was (force:
    false), the missing validator key arrives, and the play's output shows no key."""
    d = Deployment(tmp_path)
    d.export()
    other = make_member(tmp_path / "other", "127.0.0.1", d.ports["p2p"])
    (d.home / "config").mkdir(parents=True)
    theirs = (other.home / keys.NODE_KEY).read_bytes()
    (d.home / keys.NODE_KEY).write_bytes(theirs)
    run = d.play("--tags", "keys")
    counts = recap(run)
    assert run.returncode == 0 and counts["failed"] == 0, run.stdout[-3000:]
    node_key_task = run.stdout.split("TASK [Node key node_key.json", 1)[1].split("TASK [", 1)[0]
    assert "ok: [localhost]" in node_key_task and "changed" not in node_key_task, node_key_task
    assert (d.home / keys.NODE_KEY).read_bytes() == theirs, "an existing key file is never replaced"
    assert hashes(d.home)[keys.VALIDATOR_KEY] == hashes(d.member.home)[keys.VALIDATOR_KEY]
    assert not (d.home / "config" / "config.toml").exists(), "--tags keys delivers only the keys"
    assert not [f for f in secret_forms(d.member.home) + secret_forms(other.home) if f in run.stdout + run.stderr]
