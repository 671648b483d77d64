"""Judging a certificate chain, whether a server sent it or it sits in files: the tls.* findings of
SPEC §6 that do not need a connection (chain, name, validity, key, signature).

The chain is classified before it is verified, so the operator hears the reason in their terms (the
intermediate is missing; the certificate is self-signed; it expired) instead of a verifier's error.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import warnings
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from pmwizard.checks.finding import Finding, Status
from pmwizard.core.hostname import is_ip, validate_hostname
from pmwizard.core.shown import first_line, for_shell
from pmwizard.errors import InputError

SYSTEM_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem")
EXPIRING_DAYS = 21
MAX_PEM = 1 << 20
FULLCHAIN = "ssl_certificate /etc/letsencrypt/live/{host}/fullchain.pem;"


def certbot_names(names: Sequence[str]) -> list[str]:
    """The names fit for a `certbot -d` argument: well-formed ASCII host names (a leading `*.` allowed),
    each quoted for the shell. A certificate's names come from whoever made it: anything else is left out
    rather than put into a command the operator pastes."""
    out = []
    for name in names:
        base = name.removeprefix("*.")
        if name.isascii() and base and not validate_hostname(base):
            out.append(for_shell(name))
    return out


def certbot_command(names: Sequence[str], required: str, prefix: str = "certbot --nginx") -> str | None:
    """`certbot --nginx -d A -d B` for the valid names; None when `required` (the name being fixed) is not one."""
    if not certbot_names([required]):
        return None
    return prefix + "".join(f" -d {n}" for n in certbot_names(names))


@functools.lru_cache(maxsize=1)
def system_anchors() -> tuple[x509.Certificate, ...]:
    """The system's trusted roots (Debian's ca-certificates bundle); empty when none is installed."""
    for path in SYSTEM_BUNDLES:
        try:
            with warnings.catch_warnings():  # a few old roots have odd serials; they still verify
                warnings.simplefilter("ignore")
                return tuple(x509.load_pem_x509_certificates(Path(path).read_bytes()))
        except (OSError, ValueError):
            continue
    return ()


def load_pem_certs(path: str | Path, field: str = "certificate") -> list[x509.Certificate]:
    """Every certificate in a PEM file, size-limited; InputError naming the file otherwise."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = fh.read(MAX_PEM + 1)
    except OSError as exc:
        raise InputError(str(p), None, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_PEM:
        raise InputError(str(p), None, "larger than 1 MiB: not a certificate file")
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError:
        raise InputError(str(p), field, "no PEM certificate (-----BEGIN CERTIFICATE-----) found") from None


def trust_anchors(ca_file: str | Path | None = None) -> tuple[x509.Certificate, ...]:
    """System roots plus the --ca-file certificates: the same tuple while the file is unchanged, so the trust
    index below is built once per process, not once per TLS check."""
    if not ca_file:
        return system_anchors()
    try:
        st = Path(ca_file).stat()
    except OSError:
        load_pem_certs(ca_file, "--ca-file")  # raises the InputError naming the file
        raise
    return _with_ca_file(str(ca_file), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=8)
def _with_ca_file(path: str, mtime_ns: int, size: int) -> tuple[x509.Certificate, ...]:
    return system_anchors() + tuple(load_pem_certs(path, "--ca-file"))  # an edited file is read again


_INDEX: dict[int, tuple[tuple[x509.Certificate, ...], tuple[frozenset[str], frozenset[x509.Name], Store]]] = {}


def _trust_index(anchors: Sequence[x509.Certificate]) -> tuple[frozenset[str], frozenset[x509.Name], Store]:
    """The anchors' fingerprints, subjects and verification store: about 5 ms of hashing for the system roots,
    done once per trust_anchors() tuple (looked up by identity) instead of for every member a doctor checks."""
    hit = _INDEX.get(id(anchors))
    if hit is not None and hit[0] is anchors:
        return hit[1]
    kept = anchors if isinstance(anchors, tuple) else tuple(anchors)
    index = (frozenset(fingerprint(a) for a in kept), frozenset(a.subject for a in kept), Store(list(kept)))
    if len(_INDEX) >= 8:
        _INDEX.clear()
    _INDEX[id(kept)] = (kept, index)
    return index


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def dns_names(cert: x509.Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [n.lower() for n in san.get_values_for_type(x509.DNSName)]


def _ip_names(cert: x509.Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]


def name_matches(name: str, pattern: str) -> bool:
    """RFC 6125: case-insensitive; a wildcard covers exactly one leftmost label."""
    name, pattern = name.rstrip(".").lower(), pattern.rstrip(".").lower()
    if pattern.startswith("*."):
        head, _, rest = name.partition(".")
        return bool(head) and rest == pattern[2:]
    return name == pattern


def describe(cert: x509.Certificate) -> dict[str, object]:
    """Evidence about one certificate (never key material)."""
    return {"subject": cert.subject.rfc4514_string(), "issuer": cert.issuer.rfc4514_string(),
            "not_after": cert.not_valid_after_utc.isoformat(), "names": dns_names(cert),
            "fingerprint_sha256": fingerprint(cert)}


def issuer_path(sent: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """From the leaf, follow issuer names through the certificates sent (in any order)."""
    path = [sent[0]]
    pool = list(sent[1:])
    while path[-1].issuer != path[-1].subject:
        nxt = next((c for c in pool if c.subject == path[-1].issuer and c not in path), None)
        if nxt is None:
            break
        path.append(nxt)
    return path


def chain_findings(target: str, host: str, sent: Sequence[x509.Certificate],
                   anchors: Sequence[x509.Certificate], now: dt.datetime | None = None) -> list[Finding]:
    """tls.chain: classify (self-signed, issuer missing) and then verify against the anchors."""
    now = now or dt.datetime.now(dt.UTC)
    leaf = sent[0]
    ev = {"leaf": describe(leaf), "sent": [c.subject.rfc4514_string() for c in sent]}
    none: tuple[frozenset, frozenset, None] = (frozenset(), frozenset(), None)
    anchor_prints, anchor_subjects, store = _trust_index(anchors) if anchors else none
    path = issuer_path(sent)
    top = path[-1]
    if leaf.issuer == leaf.subject and fingerprint(leaf) not in anchor_prints:
        return [Finding("tls.chain", target, Status.FAIL, "self_signed",
                        "the server sends a self-signed certificate: clients will refuse it",
                        fix=(_IP_FIX.format(name=host) if is_ip(host) else
                             f"Get a certificate from a public CA{_eg(certbot_command([host], host))} and set "
                             f"`{FULLCHAIN.format(host=host)}`"), evidence=ev)]
    # Only the leaf itself with an unknown issuer means "intermediate not sent"; a sent intermediate whose
    # root is unknown is a private or unknown CA (untrusted): servers never need to send the root.
    if len(path) == 1 and top.issuer != top.subject and top.issuer not in anchor_subjects:
        missing = top.issuer.rfc4514_string()
        if not _names_its_issuer(leaf):
            # Public CAs sign leaves with intermediates and say where to fetch them (AIA caIssuers); a leaf
            # without that, signed by a CA nobody here trusts, comes from a private CA's root: serving more
            # of the chain would not help, trusting that CA would.
            return [Finding("tls.chain", target, Status.FAIL, "untrusted",
                            f"untrusted root (give the CA): {leaf.subject.rfc4514_string()!r} is signed by "
                            f"{missing!r}, a CA this machine does not trust (a private or consortium CA?)",
                            fix="Give that CA's certificate: the CA file field of Troubleshoot, or --ca-file "
                                "CA.pem; or use a certificate from a publicly trusted CA (e.g. Let's Encrypt)",
                            evidence={**ev, "untrusted_issuer": missing})]
        return [Finding("tls.chain", target, Status.FAIL, "incomplete",
                        f"the chain is incomplete: the issuer {missing!r} of {top.subject.rfc4514_string()!r} "
                        "was not sent",
                        fix=f"Serve the full chain: in nginx `{FULLCHAIN.format(host=host)}` (not cert.pem), "
                            "then `nginx -s reload`", evidence={**ev, "missing_issuer": missing})]
    if not anchors or store is None:  # store is None exactly when there are no anchors
        return [Finding("tls.chain", target, Status.FAIL, "untrusted", "no trusted roots to verify against",
                        fix="Install the ca-certificates package or pass --ca-file ROOT.pem", evidence=ev)]
    # Verify at a moment the leaf is valid: expiry is tls.validity's finding, not a trust problem.
    when = min(max(now, leaf.not_valid_before_utc), leaf.not_valid_after_utc)
    try:
        subject = _verifier_subject(leaf)
        verifier = PolicyBuilder().store(store).time(when).build_server_verifier(subject)
        verifier.verify(leaf, list(sent[1:]))
    except (VerificationError, ValueError) as exc:
        return [Finding("tls.chain", target, Status.FAIL, "untrusted",
                        f"the chain does not verify against the trusted roots: {exc}",
                        fix="Use a certificate from a publicly trusted CA (e.g. Let's Encrypt), or pass the "
                            "consortium's root with --ca-file ROOT.pem if it runs its own CA",
                        evidence={**ev, "error": str(exc)})]
    return [Finding("tls.chain", target, Status.PASS, "ok", "the chain is complete and trusted", evidence=ev)]


# certbot (ACME HTTP/DNS challenges for names) has no line for an IP address: say what works instead.
_IP_FIX = ("{name} is an IP address: certbot issues for host names, not IPs. Give the node a host name (then "
           "`certbot --nginx -d NAME`), or issue a certificate with `IP:{name}` in its subjectAltName from "
           "your own CA and give clients that CA")




def _names_its_issuer(leaf: x509.Certificate) -> bool:
    """True when the certificate says where its issuer's certificate is (AIA caIssuers), as certificates
    from an intermediate of a public CA do."""
    try:
        aia = leaf.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return False
    return any(d.access_method == x509.oid.AuthorityInformationAccessOID.CA_ISSUERS for d in aia)


def _verifier_subject(leaf: x509.Certificate) -> x509.DNSName | x509.IPAddress:
    names = dns_names(leaf)
    if names:
        return x509.DNSName(names[0].replace("*.", "wildcard.", 1))
    ips = _ip_names(leaf)
    if ips:
        return x509.IPAddress(ipaddress.ip_address(ips[0]))
    raise ValueError("the certificate has no subjectAltName (clients ignore the CN)")


def name_findings(target: str, leaf: x509.Certificate, names: Sequence[str]) -> list[Finding]:
    """tls.name for every name clients may type."""
    dns_san, ip_san = dns_names(leaf), _ip_names(leaf)
    out = []
    seen: set[str] = set()
    for name in names:
        key = name.rstrip(".").lower()
        if key in seen:
            continue
        seen.add(key)
        ok = key in ip_san or any(name_matches(key, p) for p in dns_san)
        ev = {"name": key, "certificate_names": dns_san + ip_san}
        if ok:
            out.append(Finding("tls.name", f"{target} name {key}", Status.PASS, "ok",
                               f"the certificate covers {key}", evidence=ev))
        else:
            command = certbot_command(list(dict.fromkeys([*dns_san, key])), key)
            get = f"`{command}`" if command else "one from your CA (the names here are not valid host names)"
            fix = (_IP_FIX.format(name=key) if is_ip(key) else
                   f"Get a certificate that includes it: {get}, and add "
                   f"`server_name {key};` to the nginx server block")
            out.append(Finding("tls.name", f"{target} name {key}", Status.FAIL, "mismatch",
                               f"the certificate does not cover {key} (it covers {', '.join(dns_san) or 'no names'})",
                               fix=fix, evidence=ev))
    return out


def validity_findings(target: str, leaf: x509.Certificate, host: str, now: dt.datetime | None = None) -> Finding:
    now = now or dt.datetime.now(dt.UTC)
    start, end = leaf.not_valid_before_utc, leaf.not_valid_after_utc
    ev = {"not_before": start.isoformat(), "not_after": end.isoformat()}
    command = certbot_command([host], host)
    renew = f"Renew it (`certbot renew`{f', or `{command}`' if command else ''}) and reload nginx"
    if now < start:
        return Finding("tls.validity", target, Status.FAIL, "not_yet_valid",
                       f"the certificate is valid only from {start:%Y-%m-%d %H:%M} UTC",
                       fix="Check the server's clock (`timedatectl`), or reissue the certificate", evidence=ev)
    if now > end:
        return Finding("tls.validity", target, Status.FAIL, "expired",
                       f"the certificate expired on {end:%Y-%m-%d}", fix=renew, evidence=ev)
    days = (end - now).days
    if days < EXPIRING_DAYS:
        return Finding("tls.validity", target, Status.WARN, "expiring",
                       f"the certificate expires in {days} days ({end:%Y-%m-%d})",
                       fix=renew + "; make sure the certbot timer runs", evidence={**ev, "days_left": days})
    return Finding("tls.validity", target, Status.PASS, "ok", f"valid until {end:%Y-%m-%d} ({days} days)",
                   evidence=ev)


def key_finding(target: str, leaf: x509.Certificate) -> Finding:
    key = leaf.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        desc, weak = f"RSA {key.key_size} bits", key.key_size < 2048
    elif isinstance(key, ec.EllipticCurvePublicKey):
        desc, weak = f"EC {key.curve.name}", key.curve.key_size < 256
    elif isinstance(key, dsa.DSAPublicKey):
        desc, weak = f"DSA {key.key_size} bits", True
    else:
        desc, weak = type(key).__name__.replace("PublicKey", ""), False
    if weak:
        return Finding("tls.key", target, Status.FAIL, "weak", f"the certificate's key is weak: {desc}",
                       fix="Issue a new certificate with a new key of RSA 2048+ or EC P-256 "
                           "(`certbot --key-type ecdsa`)", evidence={"key": desc})
    return Finding("tls.key", target, Status.PASS, "ok", f"key: {desc}", evidence={"key": desc})


def signature_finding(target: str, sent: Sequence[x509.Certificate]) -> Finding:
    """SHA-1/MD5 signatures on the leaf or a sent intermediate (a root's own signature does not matter)."""
    weak = []
    for cert in sent:
        if cert.issuer == cert.subject:
            continue
        algo = cert.signature_hash_algorithm
        if algo is not None and algo.name.lower() in ("sha1", "md5"):
            weak.append(f"{cert.subject.rfc4514_string()} ({algo.name.upper()})")
    if weak:
        return Finding("tls.signature", target, Status.FAIL, "weak",
                       f"signed with a broken hash: {', '.join(weak)}",
                       fix="Reissue the certificate from a CA that signs with SHA-256 or better",
                       evidence={"weak": weak})
    algo = sent[0].signature_hash_algorithm
    return Finding("tls.signature", target, Status.PASS, "ok",
                   f"signed with {algo.name.upper() if algo else 'a modern algorithm'}")


def certificate_findings(target: str, host: str, sent: Sequence[x509.Certificate], names: Sequence[str],
                         anchors: Sequence[x509.Certificate], now: dt.datetime | None = None) -> list[Finding]:
    """All connection-free tls.* findings for a chain (leaf first). A certificate whose contents cannot be
    parsed (an extension that is not valid DER: OpenSSL sends such certificates without looking inside)
    is `tls.chain` / `malformed`, not a crash."""
    leaf = sent[0]
    try:
        return [*chain_findings(target, host, sent, anchors, now), *name_findings(target, leaf, names),
                validity_findings(target, leaf, host, now), key_finding(target, leaf),
                signature_finding(target, sent)]
    except ValueError as exc:
        return [Finding("tls.chain", target, Status.FAIL, "malformed",
                        f"a certificate the server sends cannot be parsed: {first_line(exc, 200)}",
                        fix="Replace the certificate files with the ones your CA issued (certbot: fullchain.pem "
                            "and privkey.pem) and reload nginx; clients reject this certificate",
                        evidence={"sent": [c.subject.rfc4514_string() for c in sent]})]


def _eg(command: str | None) -> str:
    return f" (e.g. `{command}`)" if command else ""
