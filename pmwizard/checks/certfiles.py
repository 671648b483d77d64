"""Certificate files before deployment, and a new key + CSR for the names a node needs.

`check_cert_files` judges a PEM certificate (chain) and its key on disk: they parse, the key belongs to the
certificate, the chain is in order (leaf first, then each issuer), plus the connection-free tls.* findings
(incomplete chain, names, validity, key size, signature). `csr_plan` makes a private key and a certificate
signing request as a Plan: the key 0600 in a 0700 folder, never overwriting; `plan_preview` shows the
change without ever showing the key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from pmwizard.checks.certs import (
    MAX_PEM,
    certificate_findings,
    dns_names,
    issuer_path,
    load_pem_certs,
    trust_anchors,
)
from pmwizard.checks.finding import Finding, Status
from pmwizard.core.plan import Plan
from pmwizard.errors import InputError, WriteRefused

SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _files_finding(target: str, code: str, message: str, fix: str = "", status: Status = Status.FAIL) -> Finding:
    return Finding("tls.files", target, status, code, message, fix=fix)


def check_cert_files(cert_path: str | Path, key_path: str | Path | None = None, *, names: Sequence[str] = (),
                     ca_file: str | Path | None = None, now: dt.datetime | None = None) -> list[Finding]:
    """Findings for a certificate file (leaf first, intermediates after) and its private key file.
    `tls.files` codes: ok, unreadable, key_mismatch, order; then tls.chain/name/validity/key/signature."""
    target = str(cert_path)
    try:
        sent = load_pem_certs(cert_path)
    except InputError as exc:
        return [_files_finding(target, "unreadable", exc.message,
                               fix="Use the PEM file your CA issued (fullchain.pem from certbot)")]
    out: list[Finding] = []
    if key_path is not None:
        out.append(_key_finding(str(key_path), sent[0]))
    path = issuer_path(sent)
    leaves = [c for c in sent if not _is_ca(c)]
    if (leaves and leaves[0] is not sent[0]) or path != sent[: len(path)]:
        out.append(_files_finding(target, "order",
                                  "the certificates are out of order: "
                                  + " -> ".join(c.subject.rfc4514_string() for c in sent),
                                  fix="Put the server certificate first, then its issuer, then that one's issuer "
                                      "(certbot's fullchain.pem is already in this order)", status=Status.FAIL))
        if leaves:
            sent = [leaves[0], *[c for c in sent if c is not leaves[0]]]
    host = names[0] if names else (dns_names(sent[0]) or [sent[0].subject.rfc4514_string()])[0]
    try:
        anchors = trust_anchors(ca_file)
    except InputError as exc:
        return [*out, _files_finding(str(ca_file), "unreadable", exc.message, fix="Pass a PEM file of the root")]
    found = certificate_findings(target, host, sent, list(names) or [host], anchors, now)
    if not [f for f in out if f.status != Status.PASS]:
        out.append(_files_finding(target, "ok", f"{len(sent)} certificate(s) parsed; in order", status=Status.PASS))
    return out + found


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _key_finding(key_path: str, leaf: x509.Certificate) -> Finding:
    try:
        with open(key_path, "rb") as fh:
            data = fh.read(MAX_PEM + 1)
        key = serialization.load_pem_private_key(data, password=None)
    except OSError as exc:
        return _files_finding(key_path, "unreadable", f"cannot read the key: {exc.strerror or exc}",
                              fix="Check the path and that this user may read it (chmod 600, owned by nginx's user)")
    except TypeError:
        return _files_finding(key_path, "unreadable", "the key is protected by a passphrase",
                              fix="nginx needs `ssl_password_file`, or decrypt it once: `openssl pkey -in KEY -out "
                                  "KEY.plain` (keep it 0600)")
    except ValueError:
        return _files_finding(key_path, "unreadable", "not a PEM private key (-----BEGIN ... PRIVATE KEY-----)",
                              fix="Use the private key the certificate was requested with (privkey.pem from certbot)")
    if key.public_key().public_bytes(*SPKI) != leaf.public_key().public_bytes(*SPKI):
        return _files_finding(key_path, "key_mismatch", "the private key does not belong to the certificate",
                              fix="Pair the certificate with the key it was requested with: in nginx "
                                  "`ssl_certificate_key /etc/letsencrypt/live/HOST/privkey.pem;`")
    return _files_finding(key_path, "ok", "the private key matches the certificate", status=Status.PASS)


def csr_plan(hostname: str, names: Sequence[str] = (), out_dir: str | Path = ".", *, key_type: str = "ec",
             organization: str | None = None) -> tuple[Plan, Path, Path]:
    """A Plan writing `<hostname>.key` (0600, 0700 folder, create-only) and `<hostname>.csr` for the names.
    Raises InputError for a bad name, WriteRefused when the key file exists (keys are never overwritten)."""
    from pmwizard.core.hostname import to_ascii
    from pmwizard.core.hostname import validate_hostname as validate

    typed = list(dict.fromkeys(n.rstrip(".").lower() for n in [hostname, *names]))
    for n in typed:
        problems = validate(n.removeprefix("*."))
        if problems:
            raise InputError("--hostname" if n == typed[0] else "--name", n, "; ".join(problems))
    # the certificate carries A-labels (IDNA 2008: straße.example is xn--strae-oqa.example)
    all_names = list(dict.fromkeys(("*." if n.startswith("*.") else "") + to_ascii(n.removeprefix("*."))
                                   for n in typed))
    out = Path(out_dir).expanduser().absolute()
    key_file, csr_file = out / f"{all_names[0]}.key", out / f"{all_names[0]}.csr"
    if key_file.exists():
        raise WriteRefused(f"{key_file}: a key file exists and is never overwritten; choose another -o folder")
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if key_type == "ec":
        key = ec.generate_private_key(ec.SECP256R1())
    elif key_type == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    else:
        raise InputError("--key-type", key_type, "use ec or rsa")
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, all_names[0])]
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    csr = (x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attrs))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in all_names]), critical=False)
           .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    plan = Plan()
    plan.add(key_file, key_pem, mode=0o600, dir_mode=0o700, create_only=True, secret=True,
             notes=[f"private key ({key_type}) for {', '.join(all_names)}; readable only by you; never overwritten"])
    plan.add(csr_file, csr.public_bytes(serialization.Encoding.PEM), dir_mode=0o700,
             notes=[f"certificate signing request for {', '.join(all_names)}: give this file to your CA"])
    return plan, key_file, csr_file


def plan_preview(plan: Plan, secret_paths: Sequence[Path]) -> str:
    """The plan's diff with private key files shown only by name, mode and size (never their content)."""
    secret = {Path(p).expanduser().absolute() for p in secret_paths}
    parts = []
    for change in plan.pending:
        if change.path in secret:
            parts.append(f"# create {change.path} (private key, mode {change.mode:04o}, {len(change.new)} bytes; "
                         "content not shown)\n")
        else:
            parts.append(change.diff())
    return "".join(parts)


