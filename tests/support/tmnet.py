"""Real `tendermint node` processes for tests: started on free loopback ports, polled through their RPC with
deadlines, always stopped (process group), their logs printed when a test fails.

    with tendermint_nodes([home1, home2], proxy_app="kvstore") as nodes:
        wait_until(lambda: all(n.peers() == 1 for n in nodes), 60, "peers")
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.require import tendermint_binary


@dataclass
class Node:
    home: Path
    rpc_port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def rpc(self, path: str, **params: str) -> dict[str, Any]:
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.rpc_port}/{path}{query}", timeout=5) as r:
            return json.loads(r.read())

    def status(self) -> dict[str, Any] | None:
        try:
            return self.rpc("status")["result"]
        except (OSError, ValueError, KeyError):
            return None

    def peers(self) -> int:
        try:
            return int(self.rpc("net_info")["result"]["n_peers"])
        except (OSError, ValueError, KeyError):
            return -1

    def height(self) -> int:
        s = self.status()
        return int(s["sync_info"]["latest_block_height"]) if s else -1

    def show_log(self) -> str:
        return f"--- {self.log}\n" + (self.log.read_text(errors="replace")[-6000:] if self.log.exists() else "")


def wait_until(condition: Callable[[], Any], timeout: float, what: str, nodes: Sequence[Node] = ()) -> Any:
    """Poll `condition` until it is truthy; fail with the nodes' logs after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}\n" + "\n".join(n.show_log() for n in nodes))
        time.sleep(0.2)


def start(node: Node, *extra: str, proxy_app: str = "kvstore") -> None:
    with open(node.log, "ab") as log:  # the child keeps its own copy of the descriptor
        node.proc = subprocess.Popen([tendermint_binary(), "node", "--home", str(node.home),
                                      f"--proxy_app={proxy_app}", *extra], stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)


def stop(node: Node) -> None:
    if node.proc is not None and node.proc.poll() is None:
        os.killpg(node.proc.pid, signal.SIGTERM)
        try:
            node.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(node.proc.pid, signal.SIGKILL)
            node.proc.wait(5)
    node.proc = None


@contextlib.contextmanager
def tendermint_nodes(nodes: Sequence[Node], proxy_app: str = "kvstore") -> Iterator[Sequence[Node]]:
    """Start every node; stop all of them at the end; print their logs if the body fails."""
    try:
        for n in nodes:
            start(n, proxy_app=proxy_app)
        wait_until(lambda: all(n.status() for n in nodes), 60, "every node's RPC answers", nodes)
        yield nodes
    except BaseException:
        for n in nodes:
            print(n.show_log())
        raise
    finally:
        for n in nodes:
            stop(n)
