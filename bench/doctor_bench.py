#!/usr/bin/env python3
"""Benchmark (not a test): doctor over 50 members whose DNS and TLS servers answer after 200 ms.

SPEC §8: the whole run should take under 2x one member's run, not 50x. Every member's DNS goes to one
delaying DNS responder (dnspython, 200 ms per answer), its TLS to a server that waits 200 ms before the
handshake, its P2P port to a node of its own that waits 200 ms before Tendermint's handshake (pmwizard's
demo node, a real node key each). The members' servers run in a child process, as they run on other machines
in a real network: their side of 200 handshakes would otherwise share the doctor's interpreter and its lock.
Prints both times and their ratio, and what a silent resolver and a blackholed host cost with a 1 s timeout.

    python bench/doctor_bench.py [--members 50] [--delay 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pmwizard.checks.dnscheck import check_dns
from pmwizard.checks.doctor import (
    DoctorTarget,
    dns_member,
    handshake_member,
    p2p_member,
    run_doctor,
    tls_member,
)
from pmwizard.checks.reach import check_p2p
from pmwizard.core import keys
from pmwizard.demo.p2p import DEMO_CHAIN, DemoNode, DemoPeers
from tests.support.dnsserver import DelayedDnsServer
from tests.support.faults import full_backlog, silent_udp
from tests.support.pki import TestPKI
from tests.support.tlsserver import server_context

ZONE = "bench.test"


class SlowServers:
    """A TLS server and a P2P listener on loopback, both answering after `delay`, in their own loop."""

    def __init__(self, cert: Path, key: Path, delay: float) -> None:
        self.ctx = server_context(cert, key, seclevel0=False)
        self.delay = delay
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _handshake_later(self, transport: asyncio.Transport, proto: asyncio.Protocol) -> None:
        # Reading stays paused during the delay, so the ClientHello waits in the kernel for start_tls.
        await asyncio.sleep(self.delay)
        try:
            await self.loop.start_tls(transport, proto, self.ctx, server_side=True)
        except (TimeoutError, OSError, ConnectionError):
            transport.close()

    async def _p2p(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(self.delay)
        writer.close()

    async def _start(self) -> tuple[int, int]:
        servers = self

        class Hold(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                transport.pause_reading()  # type: ignore[attr-defined]
                servers.loop.create_task(servers._handshake_later(transport, self))  # type: ignore[arg-type]

        self.tls = await self.loop.create_server(Hold, "127.0.0.1", 0, backlog=512)
        self.p2p = await asyncio.start_server(self._p2p, "127.0.0.1", 0, backlog=512)
        return self.tls.sockets[0].getsockname()[1], self.p2p.sockets[0].getsockname()[1]

    def __enter__(self) -> tuple[int, int]:
        self.thread.start()
        return asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.tls.close)
        self.loop.call_soon_threadsafe(self.p2p.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def records(members: int) -> dict:
    recs = {(ZONE, "SOA"): [f"ns.{ZONE}. hostmaster.{ZONE}. 1 3600 600 86400 300"],
            (ZONE, "NS"): [f"ns.{ZONE}."], (f"ns.{ZONE}", "A"): ["127.0.0.1"]}
    for i in range(1, members + 1):
        recs[(f"m{i}.{ZONE}", "A")] = ["127.0.0.1"]
    return recs


def serve(conn, homes: list[Path], delay: float, cert: Path, key: Path) -> None:
    """The child process: every member's servers; sends (nameserver, tls port, p2p ports), runs until told."""
    nodes = [DemoNode(h, h.name) for h in homes]
    peers = DemoPeers(nodes, delay=delay).start()
    with DelayedDnsServer(records(len(homes)), delay=delay) as dns_server, SlowServers(cert, key, delay) as ports:
        conn.send((dns_server.nameserver, ports[0], [n.port for n in nodes]))
        conn.recv()
    peers.stop()


class MemberServers:
    """`members` members' DNS, TLS and P2P servers, all answering after `delay`, in a child process (fork).
    Entered, it makes a node key for each member under `tmp` and gives (nameserver, tls port, [(home, p2p port)])."""

    def __init__(self, tmp: Path, members: int, delay: float, cert: Path, key: Path) -> None:
        self.homes = [tmp / f"m{i}" for i in range(1, members + 1)]
        for home in self.homes:
            keys.init_plan(home).apply()
        context = multiprocessing.get_context("fork")
        self.here, there = context.Pipe()
        self.child = context.Process(target=serve, args=(there, self.homes, delay, cert, key), daemon=True)

    def __enter__(self) -> tuple[str, int, list[tuple[Path, int]]]:
        self.child.start()
        nameserver, tls_port, p2p_ports = self.here.recv()
        return nameserver, tls_port, list(zip(self.homes, p2p_ports, strict=True))

    def __exit__(self, *exc: object) -> None:
        self.here.send("stop")
        self.child.join(10)


async def timed(coro) -> tuple[float, list]:
    start = time.perf_counter()
    result = await coro
    return time.perf_counter() - start, result


async def measure(members: int, delay: float) -> dict:
    """One member's doctor run and all members' (seconds), and their findings. Every member is checked at once
    (`pmwizard doctor --concurrency N`; the default 64 bounds the open sockets on a 1024-descriptor system)."""
    tmp = Path(tempfile.mkdtemp(prefix="pmwizard-bench-"))
    pki = TestPKI("bench")
    cert, key = pki.leaf([f"*.{ZONE}"]).write(tmp, "bench")
    root = str(pki.write_root(tmp / "root.pem"))
    checks = [("dns", dns_member), ("tls", tls_member), ("net.p2p", p2p_member), ("p2p.handshake", handshake_member)]
    with MemberServers(tmp, members, delay, cert, key) as (nameserver, tls_port, nodes):
        targets = [DoctorTarget(f"m{i}", f"m{i}.{ZONE}", p2p_port=port, tls_port=tls_port,
                                node_id=keys.load_identity(home).node_id) for i, (home, port) in enumerate(nodes, 1)]
        kw = {"nameservers": [nameserver], "ca_file": root, "timeout": 5.0, "checks": checks,
              "chain_id": DEMO_CHAIN, "concurrency": members}
        await run_doctor(targets[:1], **kw)  # warm-up: trust store, imports
        one, found_one = await timed(run_doctor(targets[:1], **kw))
        whole, found = await timed(run_doctor(targets, **kw))
    return {"one": one, "whole": whole, "found_one": found_one, "found": found}


async def main(members: int, delay: float) -> None:
    m = await measure(members, delay)
    one, whole, found_one, found = m["one"], m["whole"], m["found_one"], m["found"]
    bad = [f for f in found if f.status in ("fail", "error") and f.check != "tls.shared"]
    print(f"members: {members}, every DNS/TLS/P2P-handshake answer delayed {delay * 1000:.0f} ms")
    print(f"one member:  {one:.2f} s ({len(found_one)} findings)")
    print(f"{members} members: {whole:.2f} s ({len(found)} findings, {len(bad)} unexpected fail/error)")
    verified = sum(f.check == "p2p.handshake" and f.code == "ok" for f in found)
    print(f"node IDs proven by handshake: {verified} of {members}")
    print(f"ratio: {whole / one:.2f}x (target: 50 members < 2x, 200 members <= 1.5x)")
    for f in bad[:5]:
        print("  unexpected:", f.check, f.code, f.message)
    with silent_udp() as port:
        t, _ = await timed(check_dns("m1.bench.test", nameservers=[f"127.0.0.1:{port}"], timeout=1.0))
    print(f"silent resolver, timeout 1 s: check dns took {t:.2f} s")
    with full_backlog() as port:
        t, _ = await timed(check_p2p("127.0.0.1", port, timeout=1.0))
    print(f"blackholed host, timeout 1 s: net.p2p took {t:.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.2)
    args = parser.parse_args()
    asyncio.run(main(args.members, args.delay))
