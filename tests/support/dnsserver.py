"""Real DNS servers for tests: Knot (authoritative, Debian's knotd) and a small delaying responder.

    with knot_server(tmp_path, {"good.test": ZONE_TEXT}) as knot:   # ZONE_TEXT without $ORIGIN/SOA ok
        ... check_dns("www.good.test", nameservers=[knot.nameserver]) ...

`knot_server` writes knot.conf and one zone file per zone into `workdir`, starts `knotd -c`, waits until
it answers a SOA question for every zone, and stops it at exit (its log is shown if a test fails). The
zone text is the records only: a SOA is added unless the text has one, and `NS ns.<zone>.` +
`ns.<zone>. A <host>` unless it has NS records. `zone_text()` builds such text from tuples.

`DelayedDnsServer` (an asyncio UDP responder built on dnspython) answers from a dict after a delay; the
doctor benchmark uses it to make every DNS answer take 200 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset

from tests.support.ports import free_tcp_udp_port
from tests.support.require import require_binary


def zone_text(records: list[tuple[str, str, str]], ttl: int = 300) -> str:
    """Zone-file lines from (owner, type, value) tuples; owner relative or absolute (trailing dot)."""
    return "".join(f"{owner} {ttl} IN {rtype} {value}\n" for owner, rtype, value in records)


def free_dns_port(host: str = "127.0.0.1") -> int:
    """A port free for TCP and UDP on `host` (IPv4 or IPv6 loopback)."""
    if ":" not in host:
        return free_tcp_udp_port(host)
    for _ in range(50):
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as t:
            t.bind((host, 0))
            port = int(t.getsockname()[1])
            try:
                with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as u:
                    u.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free TCP+UDP port on {host}")


@dataclass
class KnotServer:
    host: str
    port: int
    workdir: Path
    process: subprocess.Popen[bytes]

    @property
    def nameserver(self) -> str:
        """The `--nameserver` text for this server: 'IP:PORT' ('[v6]:PORT' for IPv6)."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def log(self) -> str:
        path = self.workdir / "knot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _full_zone(zone: str, body: str, ns_host: str) -> str:
    head = f"$ORIGIN {zone}.\n$TTL 300\n"
    if " SOA " not in body:
        head += f"@ 300 IN SOA ns.{zone}. hostmaster.{zone}. 1 3600 600 86400 300\n"
    if " NS " not in body:
        head += f"@ 300 IN NS ns.{zone}.\nns 300 IN {'AAAA' if ':' in ns_host else 'A'} {ns_host}\n"
    return head + body


def _answers(host: str, port: int, zone: str) -> bool:
    q = dns.message.make_query(zone + ".", "SOA")
    host = host.strip("[]")
    try:
        r = dns.query.udp(q, host, timeout=0.3, port=port)
    except (OSError, dns.exception.DNSException):  # not up yet: ask again
        return False
    return r.rcode() == dns.rcode.NOERROR and bool(r.answer)


@contextlib.contextmanager
def knot_server(workdir: Path, zones: Mapping[str, str], host: str = "127.0.0.1", port: int | None = None,
                ns_host: str | None = None, startup_timeout: float = 20.0) -> Iterator[KnotServer]:
    """Start knotd serving `zones` ({zone: records text}) on host:port (a free port by default)."""
    knotd = require_binary("knotd")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_dns_port(host)
    conf = [
        "server:", f'    rundir: "{workdir}"', f"    listen: {host}@{port}",
        "database:", f'    storage: "{workdir}/db"',
        "control:", f'    listen: "{workdir}/knot.sock"',
        "log:", "  - target: stderr", "    any: info",
        "template:", "  - id: default", f'    storage: "{workdir}"', "    zonefile-sync: -1",
        "    journal-content: none", "zone:",
    ]
    for zone, body in zones.items():
        zone = zone.rstrip(".")
        (workdir / f"{zone}.zone").write_text(_full_zone(zone, body, ns_host or host))
        conf += [f"  - domain: {zone}.", f'    file: "{zone}.zone"']
    (workdir / "knot.conf").write_text("\n".join(conf) + "\n")
    log = open(workdir / "knot.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen([knotd, "-c", str(workdir / "knot.conf")], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    server = KnotServer(host, port, workdir, proc)
    try:
        deadline = time.monotonic() + startup_timeout
        pending = [z.rstrip(".") for z in zones]
        while pending:
            if proc.poll() is not None:
                raise RuntimeError(f"knotd exited with {proc.returncode}:\n{server.log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"knotd did not answer within {startup_timeout} s:\n{server.log}")
            pending = [z for z in pending if not _answers(host, port, z)]
            if pending:
                time.sleep(0.05)
        yield server
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        log.close()


class DelayedDnsServer:
    """An authoritative UDP responder answering from `records` {(name, type): [values]} after `delay` s.

    Names are absolute lower-case without the trailing dot. A name present with other types gets NODATA,
    an unknown name NXDOMAIN. Runs its own event loop in a thread; use as a context manager.
    """

    def __init__(self, records: Mapping[tuple[str, str], list[str]], delay: float = 0.2,
                 host: str = "127.0.0.1", port: int | None = None, ttl: int = 300) -> None:
        self.records = {(n.rstrip(".").lower(), t.upper()): v for (n, t), v in records.items()}
        self.names = {n for n, _ in self.records}
        self.delay, self.host, self.ttl = delay, host, ttl
        self.questions = 0  # how many queries arrived (the doctor's questions per member are counted)
        self.port = port or free_tcp_udp_port(host)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def nameserver(self) -> str:
        return f"{self.host}:{self.port}"

    def _reply(self, data: bytes) -> bytes | None:
        try:
            q = dns.message.from_wire(data)
        except dns.exception.DNSException:  # garbage in: a real server ignores it too
            return None
        self.questions += 1
        r = dns.message.make_response(q)
        r.flags |= dns.flags.AA
        qq = q.question[0]
        name = qq.name.to_text().rstrip(".").lower()
        rtype = dns.rdatatype.to_text(qq.rdtype)
        values = self.records.get((name, rtype))
        if values:
            r.answer.append(dns.rrset.from_text_list(qq.name, self.ttl, "IN", rtype, values))
        elif name not in self.names:
            r.set_rcode(dns.rcode.NXDOMAIN)
        return r.to_wire()

    def __enter__(self) -> DelayedDnsServer:
        server = self

        class Proto(asyncio.DatagramProtocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.transport = transport

            def datagram_received(self, data: bytes, addr: tuple) -> None:
                reply = server._reply(data)
                if reply is not None:
                    server._loop.call_later(server.delay, self.transport.sendto, reply, addr)  # type: ignore

        self._thread.start()
        fut = asyncio.run_coroutine_threadsafe(
            self._loop.create_datagram_endpoint(Proto, local_addr=(self.host, self.port)), self._loop)
        self._transport = fut.result(10)[0]
        # room for a doctor's burst (200 members ask ~1,200 questions at once): the default buffer holds ~270
        # datagrams and the kernel drops the rest, which looked like members' DNS timing out (capped by
        # net.core.rmem_max)
        self._transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._transport.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
