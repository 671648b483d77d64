"""Before asking the CA: every name resolves to this machine, CAA lets the CA issue, and the HTTP-01 path
answers on the challenge port. A failed validation counts against the CA's rate limits (Let's Encrypt: five
an hour), so what can be seen from here is checked here first, each with its fix.
"""

from __future__ import annotations

import asyncio
import http.client
import socket
from collections.abc import Sequence

from pmwizard.acme.request import IssueRequest
from pmwizard.checks.dnscheck import check_dns, resolve_addresses, zone_line
from pmwizard.checks.finding import Finding, Status
from pmwizard.checks.lookup import Resolver, is_public_ip
from pmwizard.core.shown import visible

CHALLENGE_PATH = "/.well-known/acme-challenge/"
DNS_CHECKS = ("dns.name", "dns.a", "dns.aaaa", "dns.cname", "dns.caa")


def is_local_address(ip: str) -> bool:
    """True when this machine owns `ip` (it can bind a socket to it)."""
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.bind((ip, 0))
    except OSError:
        return False
    return True


def here_finding(name: str, addresses: Sequence[str], public_ips: Sequence[str]) -> Finding:
    """acme.here: every address of `name` is this machine's (bindable here, or given with --public-ip).

    Behind NAT the public address is on no interface, so a public address that is not here counts as
    elsewhere only when --public-ip says what this machine's addresses are; otherwise it is a warning. A
    private or reserved address that is not here is elsewhere in any case: no CA can reach it."""
    if not addresses:
        return Finding("acme.here", name, Status.FAIL, "no_address", f"{name} has no A or AAAA address",
                       fix="Add to the zone: "
                           f"{zone_line(name, 'A', public_ips[0] if public_ips else 'YOUR.PUBLIC.IPV4')}")
    not_here = [a for a in addresses if a not in public_ips and not is_local_address(a)]
    ev = {"addresses": list(addresses), "public_ips": list(public_ips)}
    elsewhere = [a for a in not_here if public_ips or not is_public_ip(a)]
    want = public_ips[0] if public_ips else "THIS.MACHINE.PUBLIC.IPV4"
    if elsewhere:
        return Finding("acme.here", name, Status.FAIL, "elsewhere",
                       f"{name} points to {', '.join(elsewhere)}, which is not this machine: the CA would ask "
                       "that machine for the challenge and fail",
                       fix=f"Point the name here: {zone_line(name, 'A', want)} (remove the other records); "
                           "behind NAT give this machine's public address with --public-ip",
                       evidence={**ev, "elsewhere": elsewhere})
    if not_here:
        return Finding("acme.here", name, Status.WARN, "unknown",
                       f"{name} points to {', '.join(not_here)}, which is on none of this machine's interfaces "
                       "(normal behind NAT); if it is another machine, the CA's validation will fail",
                       fix="Say which public addresses are this machine's with --public-ip IP, so pmwizard can "
                           "check before the CA counts a failed validation", evidence=ev)
    return Finding("acme.here", name, Status.PASS, "ok", f"{name} points to this machine ({', '.join(addresses)})",
                   evidence=ev)


async def dns_findings(req: IssueRequest, caa_identity: str | None) -> tuple[list[Finding], dict[str, list[str]]]:
    """DNS findings for every name (syntax, A/AAAA, CNAME, CAA for the CA) and acme.here, plus each name's
    addresses (for the HTTP-01 probe)."""
    resolver = Resolver(req.nameservers, req.timeout)

    async def one(name: str) -> tuple[list[Finding], list[str]]:
        found = await check_dns(name, ca=caa_identity, nameservers=req.nameservers, timeout=req.timeout,
                                authority=False)
        found = [f for f in found if f.check in DNS_CHECKS]
        if any(f.check == "dns.a" and f.status == Status.ERROR for f in found):
            return found, []
        addresses, _ = await resolve_addresses(resolver, name)
        return [*found, here_finding(name, addresses, req.public_ips)], addresses

    results = await asyncio.gather(*(one(n) for n in req.all_names))
    findings = [f for part, _ in results for f in part]
    if caa_identity is None:
        findings.append(Finding("acme.caa", req.hostname, Status.WARN, "unknown",
                                "the CA's directory does not say which name its CAA records use, so CAA was "
                                "not checked", fix="Give it with --caa-identity DOMAIN (Let's Encrypt: "
                                                   "letsencrypt.org)"))
    return findings, {name: addrs for name, (_, addrs) in zip(req.all_names, results, strict=True)}


def probe_address(addresses: Sequence[str]) -> str:
    """Where to send the HTTP-01 self-test: the name's own address when it is this machine's, else loopback
    (behind NAT the public address often does not loop back; the web server is the same)."""
    for a in addresses:
        if is_local_address(a):
            return a
    return "127.0.0.1"


def http01_probe(name: str, address: str, port: int, token: str, expected: bytes | None, *, mode: str,
                 timeout: float) -> Finding:
    """acme.http01: GET the challenge path with `Host: name`, as the CA will, and compare the answer.
    `expected=None` (a preview, which writes no token): only judge how the path answers."""
    target = f"{name} via {address}:{port}"
    path = CHALLENGE_PATH + token
    conn = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": name, "User-Agent": "pmwizard pre-flight"})
        resp = conn.getresponse()
        body = resp.read(4096)
        status = resp.status
    except ConnectionRefusedError:
        return Finding("acme.http01", target, Status.FAIL, "closed", f"nothing listens on port {port}",
                       fix=("Start NGINX with pmwizard's site (`pmwizard services nginx --yes`, then "
                            "`systemctl reload nginx`) or use --http-01 standalone") if mode == "webroot"
                       else f"Open port {port} (firewall) and free it for the standalone listener")
    except (OSError, http.client.HTTPException) as exc:
        return Finding("acme.http01", target, Status.ERROR, "timeout" if isinstance(exc, TimeoutError) else
                       "error", f"port {port} did not answer HTTP: {visible(exc)}",
                       fix=f"Check that a web server answers on port {port} (e.g. `curl -v http://{name}{path}`)")
    finally:
        conn.close()
    if expected is None:  # --check with the webroot: look without writing a token
        return _looked(target, name, port, status)
    if status == 200 and body.strip() == expected:
        return Finding("acme.http01", target, Status.PASS, "ok",
                       f"http://{name}{CHALLENGE_PATH}... answers from the "
                       + ("webroot" if mode == "webroot" else "standalone listener"),
                       evidence={"status": status})
    fix = ("Serve the webroot at /.well-known/acme-challenge/ (pmwizard's NGINX site has the location: "
           "`pmwizard services nginx --yes`, then `nginx -t && systemctl reload nginx`), give --webroot the "
           "folder your site serves, or use --http-01 standalone")
    return Finding("acme.http01", target, Status.FAIL, "not_served",
                   f"port {port} answered HTTP {status} but not with the challenge file",
                   fix=fix, evidence={"status": status, "body": visible(body[:200].decode("utf-8", "replace"))})


def web_server_running(req: IssueRequest) -> bool:
    """True when something accepts TCP on the HTTP-01 port here (then webroot is the way to answer)."""
    host = req.listen or "127.0.0.1"
    try:
        with socket.create_connection((host, req.http_port), timeout=min(req.timeout, 2.0)):
            return True
    except OSError:
        return False


def _looked(target: str, name: str, port: int, status: int) -> Finding:
    if 300 <= status < 400:
        return Finding("acme.http01", target, Status.FAIL, "not_served",
                       f"port {port} redirects {CHALLENGE_PATH} instead of serving it from the webroot",
                       fix="Write pmwizard's NGINX site again (`pmwizard services nginx --yes`: it has the "
                           "location), then `nginx -t && systemctl reload nginx`", evidence={"status": status})
    return Finding("acme.http01", target, Status.PASS, "ok",
                   f"a web server answers {CHALLENGE_PATH} on port {port} (HTTP {status}); with --yes a token is "
                   "put in the webroot and fetched before the CA is asked", evidence={"status": status})
