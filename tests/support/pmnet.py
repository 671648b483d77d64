"""Several real Planetmint nodes on one machine, for the validator-election tests: each node has its own
Tarantool (Debian's, running the instance pmwizard wrote) on its own port, its own Planetmint config (written
by pmwizard, then `server.workers = 1` to spare the shared CPU), its own Tendermint home, and Planetmint's
ABCI server on its own port.

Planetmint 2.5 has no setting for its ABCI port (`abci.server.ABCIServer(app)` always listens on 26658), so
several nodes on one host cannot run from the stock entry point. `planetmint_argv` starts the real
`planetmint` from its venv through a two-line launcher that only changes that default port; everything else
is Planetmint's own code.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.ports import free_port
from tests.support.require import planetmint_venv, require_binary
from tests.support.tmnet import Node, start, stop, wait_until

LAUNCHER = (
    "import sys, abci.server as s; s.ABCIServer.__init__.__defaults__ = (int(sys.argv.pop(1)),); "
    "from planetmint.commands.planetmint import main; sys.argv[0] = 'planetmint'; sys.exit(main())"
)

# Short consensus timeouts and a block every second: an election, its votes and the validator update
# (applied two blocks after the vote that concludes it) take seconds, not minutes.
FAST_CONSENSUS = {
    "timeout_propose": "1s", "timeout_propose_delta": "200ms", "timeout_prevote": "300ms",
    "timeout_prevote_delta": "100ms", "timeout_precommit": "300ms", "timeout_precommit_delta": "100ms",
    "timeout_commit": "500ms", "create_empty_blocks": True, "create_empty_blocks_interval": "1s",
}


def pmw(*argv: str, ok: tuple[int, ...] = (0,), timeout: float = 180) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True,
                       timeout=timeout, env=dict(os.environ), check=False)
    assert r.returncode in ok, f"pmwizard {' '.join(argv)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}"
    return r


@dataclass
class PlanetmintNode:
    """One member's machine: ports, files, processes."""

    name: str
    base: Path
    ports: dict[str, int]
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    tm: Node | None = None

    @property
    def home(self) -> Path:
        return self.base / "tendermint"

    @property
    def card(self) -> Path:
        return self.base / "card.json"

    @property
    def config(self) -> Path:
        return self.base / "planetmint.json"

    @property
    def key_file(self) -> Path:
        return self.home / "config" / "priv_validator_key.json"

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['rpc']}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['api']}"

    def node_id(self) -> str:
        return json.loads(self.card.read_text())["node_id"]

    def pub_key(self) -> str:
        return json.loads(self.card.read_text())["pub_key"]["value"]

    def logs(self) -> str:
        out = [self.tm.show_log() if self.tm else ""]
        for f in (self.base / "planetmint.log", self.base / "stderr.log"):
            if f.exists():
                out.append(f"--- {f}\n" + f.read_text(errors="replace")[-4000:])
        return "\n".join(out)


def new_node(base: Path, name: str) -> PlanetmintNode:
    """Keys and a signed card, made by pmwizard."""
    folder = base / name
    folder.mkdir(parents=True)
    ports = {k: free_port() for k in ("tarantool", "api", "ws", "rpc", "p2p", "abci")}
    n = PlanetmintNode(name, folder, ports)
    pmw("identity", "init", "--home", str(n.home))
    pmw("card", "export", "--hostname", "127.0.0.1", "--p2p-port", str(ports["p2p"]), "--name", name,
        "--home", str(n.home), "-o", str(n.card))
    return n


def write_services(n: PlanetmintNode) -> None:
    """Tarantool instance and Planetmint config, by pmwizard; Tendermint's timeouts shortened for the test."""
    planetmint = str(planetmint_venv() / "bin" / "planetmint")
    pmw("services", "tarantool", "--output", str(n.base / "svc"), "--tarantool-port", str(n.ports["tarantool"]),
        "--planetmint-bin", planetmint, "--yes")
    pmw("services", "planetmint", "--hostname", "localhost", "--output", str(n.config), "--tarantool-port",
        str(n.ports["tarantool"]), "--api-port", str(n.ports["api"]), "--ws-port", str(n.ports["ws"]),
        "--rpc-port", str(n.ports["rpc"]), "--yes")
    doc = json.loads(n.config.read_text())
    doc.setdefault("server", {})["workers"] = 1
    n.config.write_text(json.dumps(doc, indent=4))
    import tomlkit

    cfg = n.home / "config" / "config.toml"
    toml = tomlkit.parse(cfg.read_text())
    for k, v in FAST_CONSENSUS.items():
        toml["consensus"][k] = v  # type: ignore[index]
    cfg.write_text(tomlkit.dumps(toml))


def tarantool_greets(port: int) -> bool:
    """Whether Tarantool's greeting comes from 127.0.0.1:`port`."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            return s.recv(9) == b"Tarantool"
    except OSError:
        return False


def _listens(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def start_node(n: PlanetmintNode) -> None:
    """Tarantool, `planetmint init`, `planetmint start` (ABCI on its own port), then Tendermint."""
    tarantool = require_binary("tarantool")
    subprocess.run([tarantool, str(n.base / "svc" / "tarantool-instance.lua")], check=True, timeout=30)
    wait_until(lambda: tarantool_greets(n.ports["tarantool"]), 60, f"{n.name}: tarantool answers")
    py = str(planetmint_venv() / "bin" / "python3")
    subprocess.run([py, "-c", LAUNCHER, str(n.ports["abci"]), "-c", str(n.config), "init"], check=True,
                   timeout=120, cwd=n.base, capture_output=True)
    with open(n.base / "stderr.log", "ab") as err:
        p = subprocess.Popen([py, "-c", LAUNCHER, str(n.ports["abci"]), "-c", str(n.config), "start"],
                             cwd=n.base, stdout=err, stderr=subprocess.STDOUT, start_new_session=True)
    n.procs.append(p)
    deadline = time.monotonic() + 120
    # only the API port is probed: a connection to the ABCI port that closes looks like Tendermint leaving,
    # and Planetmint then exits
    while not _listens(n.ports["api"]):
        if p.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{n.name}: planetmint did not start\n{n.logs()}")
        time.sleep(0.2)
    n.tm = Node(n.home, n.ports["rpc"], n.base / "tendermint.log")
    start(n.tm, proxy_app=f"tcp://127.0.0.1:{n.ports['abci']}")
    wait_until(lambda: n.tm and n.tm.status(), 60, f"{n.name}: tendermint RPC answers", [n.tm])


def stop_node(n: PlanetmintNode) -> None:
    if n.tm is not None:
        stop(n.tm)
    for p in n.procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(5)
    pid = n.base / "svc" / "tarantool.pid"
    if pid.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid.read_text().strip()), signal.SIGTERM)


@contextlib.contextmanager
def stopped_at_exit(nodes: list[PlanetmintNode]) -> Iterator[list[PlanetmintNode]]:
    try:
        yield nodes
    except BaseException:
        for n in nodes:
            print(n.logs())
        raise
    finally:
        for n in nodes:
            stop_node(n)


def api(n: PlanetmintNode, path: str) -> Any:
    import urllib.request

    with urllib.request.urlopen(f"{n.api_url}{path}", timeout=10) as r:
        return json.loads(r.read())
