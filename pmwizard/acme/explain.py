"""The CA's answers in the operator's words: each ACME problem type (RFC 8555 section 6.7) as a Finding
with what went wrong, the CA's own detail, and the fix (the zone line, the firewall rule, when to retry).

Works on plain values (type URN, detail, status) so it needs no import of the acme library.
"""

from __future__ import annotations

from pmwizard.checks.dnscheck import zone_line
from pmwizard.checks.finding import Finding, Status
from pmwizard.core.shown import visible

PREFIX = "urn:ietf:params:acme:error:"


def order_problem(name: str, typ: str | None, detail: str, *, caa_identity: str | None, http_port: int,
                  retry_after: str | None = None) -> Finding:
    """One problem the CA reported (for `name`, or the whole order) as an `acme.order` finding."""
    kind = (typ or "").removeprefix(PREFIX)
    said = visible(detail or kind or "no detail")
    ev: dict[str, object] = {"type": typ or "", "detail": said}
    ca = caa_identity or "letsencrypt.org"
    if kind == "rateLimited":
        when = f" after {retry_after}" if retry_after else " later (Let's Encrypt: 5 identical certificates " \
                                                          "a week, 5 failed validations an hour)"
        if retry_after:
            ev["retry_after"] = retry_after
        return Finding("acme.order", name, Status.ERROR, "rate_limited", f"the CA's rate limit was hit: {said}",
                       fix=f"Try again{when}; test with --staging, whose limits are far higher", evidence=ev)
    if kind == "caa":
        line = zone_line(name, "CAA", f'0 issue "{ca}"')
        return Finding("acme.order", name, Status.FAIL, "caa",
                       f"CAA records forbid this CA to issue for {name}: {said}",
                       fix=f"Add to the zone: {line} (or remove the CAA "
                           "records that name only other CAs)", evidence=ev)
    if kind == "dns":
        return Finding("acme.order", name, Status.FAIL, "dns",
                       f"the CA could not look up {name} in DNS: {said}",
                       fix=f"Add to the zone: {zone_line(name, 'A', 'YOUR.PUBLIC.IPV4')}, wait for its TTL, "
                           f"then check with `pmwizard check dns {name}`", evidence=ev)
    if kind == "connection":
        return Finding("acme.order", name, Status.FAIL, "connection",
                       f"the CA could not fetch the challenge from {name} on port {http_port}: {said}",
                       fix=f"Open TCP port {http_port} to the internet (e.g. `ufw allow {http_port}/tcp`, and the "
                           "cloud provider's firewall), and make the A/AAAA records point at this machine",
                       evidence=ev)
    if kind in ("unauthorized", "incorrectResponse"):
        return Finding("acme.order", name, Status.FAIL, "unauthorized",
                       f"the CA reached {name} but got the wrong answer to the challenge: {said}",
                       fix="Make the A/AAAA records point at this machine only, and serve "
                           "/.well-known/acme-challenge/ from the webroot (`pmwizard services nginx --yes`, then "
                           "`nginx -t && systemctl reload nginx`), or use --http-01 standalone", evidence=ev)
    if kind in ("rejectedIdentifier", "unsupportedIdentifier"):
        return Finding("acme.order", name, Status.FAIL, "rejected",
                       f"the CA will not issue for {name}: {said}",
                       fix="Use a public DNS name under a registered domain (not .local, .test, an IP or a "
                           "blocked name)", evidence=ev)
    if kind in ("badNonce", "serverInternal"):
        return Finding("acme.order", name, Status.ERROR, "server",
                       f"the CA had trouble ({kind}): {said}", fix="Try again in a few minutes", evidence=ev)
    if kind == "timeout":
        return Finding("acme.order", name, Status.ERROR, "timeout",
                       f"the CA did not finish validating in time: {said}",
                       fix="Try again; if it repeats, check that port "
                           f"{http_port} answers quickly from outside", evidence=ev)
    return Finding("acme.order", name, Status.FAIL, "refused", f"the CA refused the request ({kind or 'error'}): "
                   f"{said}", fix="Read the CA's detail above; `pmwizard check dns` and `check tls` show most "
                   "causes", evidence=ev)


def ca_target(directory: str) -> str:
    """Findings about the CA are grouped under its host name (the URL's scheme would make a poor title)."""
    from urllib.parse import urlsplit

    return visible(urlsplit(directory).hostname or directory)


def unreachable(directory: str, detail: str, *, ca_file: bool) -> Finding:
    """The directory URL did not answer as an ACME server."""
    said = visible(detail)
    tls = "certificate" in detail.lower() or "ssl" in detail.lower()
    if tls:
        fix = ("The CA's HTTPS certificate is not trusted: for a private ACME server give its root with "
               "--ca-file PEM" + (" (the one given does not verify it)" if ca_file else ""))
        code = "untrusted"
    else:
        fix = ("Check the URL (--acme-directory; default Let's Encrypt), this machine's outgoing HTTPS "
               "(firewall, proxy) and DNS; then try again")
        code = "unreachable"
    return Finding("acme.directory", ca_target(directory), Status.ERROR, code,
                   f"cannot reach the ACME directory: {said}", fix=fix,
                   evidence={"detail": said, "directory": visible(directory)})


def not_acme(directory: str, detail: str) -> Finding:
    return Finding("acme.directory", ca_target(directory), Status.FAIL, "not_acme",
                   f"the URL answers, but not as an ACME directory: {visible(detail)}",
                   fix="Give the directory URL itself (it returns JSON with newNonce, newAccount, newOrder), "
                       "e.g. https://acme-v02.api.letsencrypt.org/directory",
                   evidence={"directory": visible(directory)})
