"""The first run, as an operator meets it (issue 11, Proof): `cometbft init` made ~/.cometbft; the wizard in a
real terminal (tmux, 80x24), driven only by keys and read only from the screen, goes through the member journey
(the home it finds, the software paths typed, an IP and P2P port, the card, the genesis and cards, configure
with the service files, start) until the Start step shows peers connected and new blocks.

The node under test runs the real programs: CometBFT 0.34 (the binary typed in the software step), Tarantool
(Debian's) and Planetmint 2.5 (from its venv), all started by Monit with the files the wizard wrote. Two other
members are real Planetmint nodes (tests/support/pmnet.py) started by the test acting as the coordinator from
cards and a genesis made with pmwizard's CLI. With three equal validators no block is made until the node under
test votes, so "new blocks" proves it is in the network.

Planetmint 2.5 always listens for ABCI on 26658 (tests/support/pmnet.py); the planetmint program given to the
software step is the pmnet launcher in a two-line script that moves that port, and the home's config.toml
(edited before the wizard runs, as an operator sets their own ports) points proxy_app there. Every other port
is a free one: the wizard takes them with --monit-port, --tarantool-port, --api-port, --ws-port.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomlkit

from tests.support import pmnet
from tests.support.ports import free_port
from tests.support.require import planetmint_venv, require_binary, tendermint_binary

pytestmark = pytest.mark.e2e


# The background Textual's default theme gives a focused field at 256 colours (an unfocused one: 234). Its
# cursor blinks, so the field's own background is what shows the focus in a capture.
FOCUSED_FIELD = "\x1b[48;5;235m"


class Terminal:
    """The wizard in a tmux session: keys in, the visible screen out."""

    def __init__(self, tmux: str, sock: str) -> None:
        self.tmux, self.sock = tmux, sock

    def run(self, *args: str) -> str:
        return subprocess.run([self.tmux, "-L", self.sock, *args], capture_output=True, text=True, timeout=10,
                              check=False).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "wiz")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "wiz", *keys)

    def type(self, text: str) -> None:
        """Type literally, then wait until the text shows (a key sent before the field has focus is lost)."""
        self.run("send-keys", "-t", "wiz", "-l", text)
        self.wait_for(text[-30:], timeout=15)

    def has_focus(self, text: str) -> bool:
        """Whether the field showing `text` has the focus (its background, see FOCUSED_FIELD)."""
        return FOCUSED_FIELD + text[:20] in self.run("capture-pane", "-p", "-e", "-t", "wiz")

    def next_field(self, leaving: str) -> None:
        """Tab to the next field and wait until the field showing `leaving` has lost the focus. A path
        field takes Tab as "complete" while its completion is longer than the text; the Tab is sent again
        only while the focus has certainly not moved."""
        deadline = time.monotonic() + 10
        while not self.has_focus(leaving):  # the check below would prove nothing if this never showed
            assert time.monotonic() < deadline, f"the field showing {leaving!r} never has the focus"
            time.sleep(0.2)
        for _ in range(3):
            self.keys("Tab")
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                if not self.has_focus(leaving):
                    return
                time.sleep(0.2)
        raise AssertionError(f"the focus stays in the field showing {leaving!r}:\n{self.screen()}")

    def wait_for(self, *texts: str, timeout: float = 30) -> str:
        """The screen once every text is on it (the wizard wraps long lines: texts are short pieces)."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if all(t in screen for t in texts):
                return screen
            assert time.monotonic() < deadline, f"{texts!r} never appeared; the terminal shows:\n{screen}"
            time.sleep(0.2)


def operator_settings(home: Path, ports: dict[str, int]) -> None:
    """What the operator sets in ~/.cometbft/config/config.toml before the wizard: their RPC and P2P
    ports, Planetmint's ABCI address, and (for the test's time budget) short consensus timeouts."""
    cfg = home / "config" / "config.toml"
    doc = tomlkit.parse(cfg.read_text())
    doc["proxy_app"] = f"tcp://127.0.0.1:{ports['abci']}"
    doc["rpc"]["laddr"] = f"tcp://127.0.0.1:{ports['rpc']}"  # type: ignore[index]
    doc["p2p"]["laddr"] = f"tcp://127.0.0.1:{ports['p2p']}"  # type: ignore[index]
    for k, v in pmnet.FAST_CONSENSUS.items():
        doc["consensus"][k] = v  # type: ignore[index]
    cfg.write_text(tomlkit.dumps(doc))


def planetmint_program(folder: Path, abci_port: int) -> Path:
    """<folder>/bin/planetmint: the real Planetmint from its venv, with ABCI on `abci_port`. <folder>/lib is
    the venv's, so the wizard finds Planetmint's init.lua beside the program as it does in a venv."""
    venv = planetmint_venv()
    (folder / "bin").mkdir(parents=True)
    (folder / "lib").symlink_to(venv / "lib")
    program = folder / "bin" / "planetmint"
    program.write_text("#!/bin/sh\nexec " + shlex.join([str(venv / "bin" / "python3"), "-c", pmnet.LAUNCHER,
                                                        str(abci_port)]) + ' "$@"\n')
    program.chmod(0o755)
    return program


def stop_monit(monit: str, folder: Path, env: dict[str, str]) -> None:
    """Monit stops what it started, then quits; anything whose pid file is left is killed."""
    rc = folder / "monitrc"
    if rc.exists():
        subprocess.run([monit, "-c", str(rc), "stop", "all"], env=env, capture_output=True, timeout=60, check=False)
        deadline = time.monotonic() + 30
        while any((folder / f"{n}.pid").exists() for n in ("planetmint", "tendermint", "tarantool")):
            if time.monotonic() > deadline:
                break
            time.sleep(0.3)
        subprocess.run([monit, "-c", str(rc), "quit"], env=env, capture_output=True, timeout=30, check=False)
    for name in ("monit", "tendermint", "planetmint", "tarantool"):
        pid = folder / f"{name}.pid"
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pid.read_text().strip()), signal.SIGKILL if name != "monit" else signal.SIGTERM)


def api_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
            return json.loads(r.read()).get("software") == "Planetmint"
    except (OSError, ValueError):
        return False


@pytest.fixture()
def short_tmp() -> Iterator[Path]:
    """A short folder under /tmp: the wizard shows paths in 80 columns, and a long one would wrap."""
    path = Path(tempfile.mkdtemp(prefix="pmw-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_first_run_from_cometbft_init_to_a_node_in_the_network(short_tmp: Path) -> None:
    tmp_path = short_tmp
    tmux, monit = require_binary("tmux"), require_binary("monit")
    tarantool, tendermint = require_binary("tarantool"), tendermint_binary()
    planetmint_venv()
    started = time.monotonic()
    home_dir = tmp_path / "operator"
    home_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("CMTHOME", "TMHOME", "TMUX")}
    env.update(HOME=str(home_dir), XDG_STATE_HOME=str(tmp_path / "state"), TERM="xterm-256color")
    subprocess.run([tendermint, "init"], env=env, check=True, capture_output=True, timeout=60)
    home = home_dir / ".cometbft"
    ports = {k: free_port() for k in ("p2p", "rpc", "abci", "monit", "tarantool", "api", "ws")}
    operator_settings(home, ports)
    program = planetmint_program(tmp_path / "planetmint-venv", ports["abci"])
    cards_dir = tmp_path / "cards"
    cards_dir.mkdir()
    genesis = tmp_path / "genesis.json"
    folder = home_dir / ".planetmint-monit"
    others = [pmnet.new_node(tmp_path / "others", f"member{i}") for i in (1, 2)]
    term = Terminal(tmux, f"pmwizard-first-run-{os.getpid()}")
    wizard = [sys.executable, "-m", "pmwizard", "--monit-port", str(ports["monit"]), "--tarantool-port",
              str(ports["tarantool"]), "--api-port", str(ports["api"]), "--ws-port", str(ports["ws"]),
              "--nginx-site", str(tmp_path / "nginx-site")]
    subprocess.run([tmux, "-L", term.sock, "new-session", "-d", "-s", "wiz", "-x", "80", "-y", "24",
                    shlex.join(wizard) + "; sleep 600"], env=env, check=True, timeout=10)
    try:
        term.wait_for("Set up my node")
        term.keys("Enter")
        # 1. the home `cometbft init` made is found, its keys too: nothing to create
        node_id = json.loads(subprocess.run([tendermint, "show_node_id"], env=env, capture_output=True, text=True,
                                            timeout=30, check=True).stdout.strip().join('""'))
        term.wait_for("step 1 of 10", f"{home}  (~/.cometbft)", f"node_id {node_id}")
        assert "No usable keys" not in term.screen()
        term.keys("C-n")
        # 2. software: the tendermint binary and the planetmint program typed; tarantool and monit on PATH
        term.wait_for("step 2 of 10", "planetmint executable")
        term.type(tendermint)
        term.next_field(tendermint)
        term.type(str(program))
        term.keys("Enter")
        term.wait_for("every program Planetmint 2.5 needs is here", timeout=60)
        term.keys("C-n")
        # 3. domain: an IP and a P2P port
        term.wait_for("step 3 of 10", "node.example.org or an IP address")
        term.type("127.0.0.1")
        term.keys("Tab", "Tab")
        term.type(str(ports["p2p"]))
        term.wait_for(f"peers dial 127.0.0.1:{ports['p2p']}")
        term.keys("Enter")
        term.wait_for("127.0.0.1 is an IP address: nothing to look up in DNS")
        term.keys("C-n")
        term.wait_for("step 4 of 10")  # no certificate for an IP: on to the card
        term.keys("C-n")
        # 5. the card, saved (previewed, then written)
        term.wait_for("step 5 of 10", "your member name")
        term.type("member0")
        term.keys("Enter")
        card = home / "member-card.json"
        term.wait_for("Member card: 1 file(s)", "member-card.json (new file)")
        term.keys("C-w")
        term.wait_for(f"wrote {card}")
        term.keys("Escape")
        # the coordinator: a genesis of the three cards; the two other members start their nodes
        shutil.copy(card, cards_dir / "member0.json")
        for n in others:
            shutil.copy(n.card, cards_dir / f"{n.name}.json")
        cards = sorted(str(c) for c in cards_dir.iterdir())
        pmnet.pmw("genesis", "new", *cards, "--chain-id", "first-run", "-o", str(genesis))
        for n in others:
            pmnet.pmw("configure", "--genesis", str(genesis), "--peers", *cards, "--moniker", n.name,
                      "--rpc-laddr", f"tcp://127.0.0.1:{n.ports['rpc']}", "--home", str(n.home), "--yes")
            pmnet.write_services(n)
            pmnet.start_node(n)
        # 6. join: the genesis and the folder of cards
        term.keys("C-n")
        term.wait_for("step 6 of 10", "path to genesis.json")
        term.type(str(genesis))
        term.next_field(str(genesis))
        term.type(str(cards_dir))
        term.keys("Enter")
        term.wait_for("valid: chain first-run, 3 validators", "this node's validator is in it")
        term.keys("C-n")
        # 7. configure: genesis.json, config.toml and the service files, previewed, then written
        term.wait_for("step 7 of 10", "member0", f"tarantool {tarantool}")
        term.keys("Enter")
        term.wait_for("Configure this node:", "genesis.json", timeout=60)
        term.keys("C-w")
        term.wait_for("wrote", "Close", timeout=60)
        term.keys("Escape")
        term.wait_for("step 7 of 10")
        assert (folder / "monitrc").exists() and not (tmp_path / "nginx-site").exists()
        assert f"set httpd port {ports['monit']} and" in (folder / "monitrc").read_text()
        term.keys("C-n")
        # 8. start: the commands shown, run, then watched until peers and new blocks
        screen = term.wait_for("step 8 of 10", "Start the node")
        assert "monitrc" in screen and "-d 1" in screen
        term.keys("Tab")
        term.keys("Enter")
        screen = term.wait_for("the node is up: 2 peer(s), new blocks", timeout=150 - (time.monotonic() - started))
        assert "chain first-run" in screen and "peers   2 connected" in screen, screen
        # the same from outside the wizard: the node's own RPC, and Planetmint's API
        with urllib.request.urlopen(f"http://127.0.0.1:{ports['rpc']}/status", timeout=5) as r:
            status = json.loads(r.read())["result"]
        assert status["node_info"]["network"] == "first-run" and int(status["sync_info"]["latest_block_height"]) >= 1
        deadline = time.monotonic() + 30
        while not api_answers(ports["api"]):
            assert time.monotonic() < deadline, "Planetmint's API (started by Monit) does not answer"
            time.sleep(0.5)
    except BaseException:
        for f in sorted((folder / "logs").glob("*.log")) if (folder / "logs").exists() else []:
            print(f"--- {f}\n{f.read_text(errors='replace')[-3000:]}")
        for n in others:
            print(n.logs())
        raise
    finally:
        subprocess.run([tmux, "-L", term.sock, "kill-server"], capture_output=True, check=False, timeout=10)
        stop_monit(monit, folder, env)
        for n in others:
            pmnet.stop_node(n)
