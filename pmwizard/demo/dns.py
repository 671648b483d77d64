"""A tiny authoritative DNS server on loopback for the demo sandbox (dnspython, UDP, one thread)."""

from __future__ import annotations

import socket

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

from pmwizard.demo.loopback import LoopbackServer


class DemoDns(LoopbackServer):
    """Answers for one zone: A records from `hosts`, NS/SOA for the zone, NXDOMAIN for the rest."""

    def __init__(self, zone: str, hosts: dict[str, str]) -> None:
        self.zone = zone.rstrip(".").lower()
        self.hosts = {h.rstrip(".").lower(): ip for h, ip in hosts.items()}
        self.hosts.setdefault(f"ns.{self.zone}", "127.0.0.1")
        super().__init__(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        r = dns.message.make_response(query)
        r.flags |= dns.flags.AA
        q = query.question[0]
        name = q.name.to_text().rstrip(".").lower()
        soa = dns.rrset.from_text(f"{self.zone}.", 60, "IN", "SOA",
                                  f"ns.{self.zone}. admin.{self.zone}. 1 60 60 600 60")
        if name != self.zone and not name.endswith("." + self.zone):
            r.set_rcode(dns.rcode.REFUSED)
            return r
        if name == self.zone and q.rdtype == dns.rdatatype.NS:
            r.answer.append(dns.rrset.from_text(q.name, 60, "IN", "NS", f"ns.{self.zone}."))
        elif name == self.zone and q.rdtype == dns.rdatatype.SOA:
            r.answer.append(soa)
        elif name in self.hosts and q.rdtype == dns.rdatatype.A:
            r.answer.append(dns.rrset.from_text(q.name, 60, "IN", "A", self.hosts[name]))
        elif name in self.hosts or name == self.zone:
            r.authority.append(soa)
        else:
            r.set_rcode(dns.rcode.NXDOMAIN)
            r.authority.append(soa)
        return r

    def _serve_once(self) -> None:
        data, addr = self.sock.recvfrom(4096)
        try:
            reply = self.answer(dns.message.from_wire(data))
        except (dns.exception.DNSException, IndexError, ValueError):
            return  # a malformed packet is ignored, as a real server would
        self.sock.sendto(reply.to_wire(), addr)
