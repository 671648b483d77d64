"""One issuance, start to finish: pre-flight, challenge, order, files through the Plan, reload, live check.

    outcome = issue(make_request("node1.example.org", ["node1.consortium.org"]), apply=True)

`apply=False` is `--check`: the same pre-flight (DNS, CAA, the challenge path answering), then the plan
of what `--yes` would write, without asking the CA for anything. Keys (account and certificate) are
created 0600 in 0700 folders, never shown and never overwritten: a renewal reuses the certificate key.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pmwizard.acme.challenge import ChallengeError, Responder, StandaloneResponder, WebrootResponder
from pmwizard.acme.order import CA, AcmeFailure, caa_identity, obtain, open_directory
from pmwizard.acme.preflight import dns_findings, http01_probe, probe_address, web_server_running
from pmwizard.acme.request import IssueRequest, RenewalRecord
from pmwizard.checks.finding import Finding, Status
from pmwizard.core.plan import Plan, Written
from pmwizard.core.shown import for_shell, visible
from pmwizard.errors import InputError, WriteRefused

Progress = Callable[[str], None]
MAX_KEY_BYTES = 64 * 1024
RELOAD_WAIT = 15.0  # seconds for NGINX to serve a new certificate after a reload


@dataclass
class IssueOutcome:
    """What happened: the findings in order, the plan (applied or only previewed), what was written."""

    request: IssueRequest
    findings: list[Finding] = field(default_factory=list)
    plan: Plan | None = None
    written: list[Written] = field(default_factory=list)
    mode: str = ""
    not_after: dt.datetime | None = None
    next_steps: list[str] = field(default_factory=list)

    @property
    def issued(self) -> bool:
        return self.not_after is not None

    @property
    def ok(self) -> bool:
        return not any(f.status in (Status.FAIL, Status.ERROR) for f in self.findings)


def _blocking(findings: list[Finding]) -> bool:
    return any(f.status in (Status.FAIL, Status.ERROR) for f in findings)


def new_private_key() -> bytes:
    """An EC P-256 key in PKCS#8 PEM (what Let's Encrypt and certbot use by default)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def existing_private_key(path: Path, field: str) -> bytes | None:
    """The key file's PEM when it exists and holds a usable private key; InputError (never the content)
    when it holds something else."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    from pmwizard.core.safeio import read_regular

    try:
        data = read_regular(path, MAX_KEY_BYTES)  # a FIFO or device in the key's place is refused, never read
    except OSError as exc:
        raise InputError(str(path), field, f"cannot read the key file ({exc.strerror})") from None
    if data is None:
        return None
    try:
        key = serialization.load_pem_private_key(data, None)
    except (ValueError, TypeError):
        raise InputError(str(path), field, "exists but is not an unencrypted PEM private key; pmwizard never "
                         "overwrites key files: move it away or give another --key") from None
    if not isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
        raise InputError(str(path), field, "is not an RSA or EC key, which CAs accept")
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _account_key(req: IssueRequest, apply: bool, plan: Plan) -> bytes:
    """The account key for this CA: the one on disk, else a new one (written now when applying)."""
    found = existing_private_key(req.account_key_path, "account key")
    if found is not None:
        return found
    pem = new_private_key()
    one = Plan()
    one.add(req.account_key_path, pem, mode=0o600, dir_mode=0o700, create_only=True, secret=True,
            notes=["the ACME account key: identifies you to the CA; never shown, never overwritten"])
    if apply:
        apply_plan(one)  # before the CA sees it: an account whose key was lost could not be used again
    else:
        plan.extend(one)
    return pem


def apply_plan(plan: Plan) -> list[Written]:
    """Plan.apply, with a folder that cannot be written (not root, a file in the way) said in one line."""
    try:
        return plan.apply()
    except OSError as exc:
        where = exc.filename or (plan.pending[0].path if plan.pending else "?")
        raise WriteRefused(f"{where}: cannot write ({exc.strerror or exc}); run as root, or choose folders you "
                           "can write with --config-dir, --cert and --key") from None


def _responder(req: IssueRequest, mode: str) -> Responder:
    return WebrootResponder(req.webroot) if mode == "webroot" else StandaloneResponder(req.listen, req.http_port)


def _not_after(fullchain: bytes) -> dt.datetime:
    from cryptography import x509

    return x509.load_pem_x509_certificates(fullchain)[0].not_valid_after_utc


def issue(req: IssueRequest, *, apply: bool, progress: Progress = lambda _: None, reload: bool = True,
          live_check: bool = True) -> IssueOutcome:
    """Run the issuance for `req`. Never raises for trouble with DNS, ports or the CA: that is in the
    findings. Raises InputError for unusable local files (a key file that is not a key)."""
    out = IssueOutcome(req)
    progress(f"asking {visible(req.directory)}")
    ca, finding = open_directory(req)
    out.findings.append(finding)
    if ca is None:
        return out
    caa = caa_identity(req, ca)
    progress("checking DNS and CAA for " + ", ".join(req.all_names))
    found, addresses = asyncio.run(dns_findings(req, caa))
    out.findings += found
    if _blocking(found):
        return out
    existing_key = existing_private_key(req.key, "--key")  # refuse a bad key file before anything else
    key_pem = existing_key or new_private_key()
    out.mode = req.mode or ("webroot" if web_server_running(req) else "standalone")
    plan = Plan()
    if out.mode == "webroot" and not apply:  # a preview writes nothing, not even a token file
        out.findings += [http01_probe(name, probe_address(addresses.get(name, [])), req.http_port,
                                      secrets.token_urlsafe(24), None, mode=out.mode, timeout=req.timeout)
                         for name in req.all_names]
    else:
        fullchain = _challenge_and_order(req, out, ca, caa, addresses, key_pem, plan, apply, progress)
        if fullchain is not None:
            _write(req, out, plan, key_pem, fullchain, existing_key is None, progress, reload, live_check)
            return out
    if not apply and not _blocking(out.findings):
        _account_key(req, False, plan)
        out.plan = _files_plan(req, plan, key_pem, None, new_key=existing_key is None)
    return out


def _challenge_and_order(req: IssueRequest, out: IssueOutcome, ca: CA, caa: str | None,
                         addresses: dict[str, list[str]], key_pem: bytes, plan: Plan, apply: bool,
                         progress: Progress) -> bytes | None:
    """Serve a probe token and fetch it as the CA will; when applying, then ask the CA. The full chain,
    or None (the findings say why, or this was only the preview)."""
    progress("answering the challenge " + ("from the webroot" if out.mode == "webroot" else
                                           f"with a listener of our own on port {req.http_port}"))
    try:
        responder = _responder(req, out.mode)
    except ChallengeError as exc:
        out.findings.append(Finding("acme.http01", f"port {req.http_port}", Status.FAIL, "unavailable", str(exc),
                                    fix="See the message: free the port or make the webroot writable"))
        return None
    try:
        token, expected = secrets.token_urlsafe(24), secrets.token_urlsafe(32).encode()
        try:
            responder.add(token, expected)
        except ChallengeError as exc:
            out.findings.append(Finding("acme.http01", str(req.webroot), Status.FAIL, "unavailable", str(exc),
                                        fix="Give --webroot a folder pmwizard can write and NGINX serves"))
            return None
        out.findings += [http01_probe(name, probe_address(addresses.get(name, [])), req.http_port, token,
                                      expected, mode=out.mode, timeout=req.timeout) for name in req.all_names]
        if _blocking(out.findings) or not apply:
            return None
        account_pem = _account_key(req, True, plan)
        try:
            return obtain(req, ca, account_pem, key_pem, responder, progress, caa)
        except AcmeFailure as exc:
            out.findings += exc.findings
            return None
    finally:
        responder.close()


def _write(req: IssueRequest, out: IssueOutcome, plan: Plan, key_pem: bytes, fullchain: bytes, new_key: bool,
           progress: Progress, reload: bool, live_check: bool) -> None:
    """Write key (when new), full chain and renewal record; reload NGINX and check it live (webroot)."""
    out.not_after = _not_after(fullchain)
    out.findings.append(Finding("acme.order", req.hostname, Status.PASS, "issued",
                                f"certificate issued for {', '.join(req.all_names)}, valid until "
                                f"{out.not_after:%Y-%m-%d %H:%M} UTC",
                                evidence={"names": req.all_names, "not_after": out.not_after.isoformat()}))
    out.plan = _files_plan(req, plan, key_pem, fullchain, new_key=new_key)
    progress("writing " + ", ".join(str(c.path) for c in out.plan.pending))
    out.written = apply_plan(out.plan)
    if out.mode == "webroot" and reload:
        out.findings.append(reload_web_server(req.reload_command))
    if out.mode == "webroot" and live_check:
        out.findings += live_tls(req, progress, fullchain)
    elif out.mode == "standalone":
        out.next_steps.append("point the NGINX site at the new files and start it: pmwizard services nginx "
                              f"--hostname {req.hostname} --cert {for_shell(str(req.cert))} "
                              f"--key {for_shell(str(req.key))} --yes; then nginx -t && systemctl reload nginx")


def _files_plan(req: IssueRequest, plan: Plan, key_pem: bytes, fullchain: bytes | None, *, new_key: bool) -> Plan:
    if new_key:
        plan.add(req.key, key_pem, mode=0o600, dir_mode=0o700, create_only=True, secret=True,
                 notes=["the certificate's private key: never shown, never overwritten (renewals reuse it)"])
    if fullchain is not None:
        plan.add(req.cert, fullchain, mode=0o644, dir_mode=0o700,
                 notes=[f"the certificate for {', '.join(req.all_names)} with its intermediates "
                        + "(what NGINX's ssl_certificate needs)"])
    issued = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if fullchain else ""
    plan.add(req.record_path, RenewalRecord(req, issued=issued).to_json(), mode=0o600, dir_mode=0o700,
             notes=["what `pmwizard cert renew` needs to ask the CA again the same way (no key material)"])
    return plan


def reload_web_server(command: tuple[str, ...]) -> Finding:
    """Run the reload command (default `nginx -s reload`) so NGINX serves the new files."""
    shown = visible(" ".join(command))  # from the renewal record: a file
    try:
        r = subprocess.run(list(command), capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Finding("cert.reload", shown, Status.FAIL, "failed", f"could not run `{shown}`: {visible(exc)}",
                       fix="Reload NGINX yourself: nginx -t && systemctl reload nginx")
    if r.returncode != 0:
        tail = visible((r.stderr or r.stdout).strip().splitlines()[-1:] or [""])
        return Finding("cert.reload", shown, Status.FAIL, "failed", f"`{shown}` exited {r.returncode}: {tail}",
                       fix="Run `nginx -t` to see what NGINX refuses, fix it, then systemctl reload nginx")
    return Finding("cert.reload", shown, Status.PASS, "ok", f"`{shown}`: NGINX reloaded with the new certificate")


def live_tls(req: IssueRequest, progress: Progress, leaf: bytes | None = None) -> list[Finding]:
    """The live TLS check of every name on the HTTPS port (pmwizard.checks.tlscheck); with `leaf`, once
    the server serves it."""
    from pmwizard.checks.tlscheck import check_tls

    progress(f"checking https://{req.hostname}:{req.https_port} live")

    async def run() -> list[Finding]:
        await _served(req, leaf)
        return await check_tls(req.hostname, port=req.https_port, names=list(req.names),
                               ca_file=req.check_ca_file, nameservers=req.nameservers, timeout=req.timeout)

    return asyncio.run(run())


async def _served(req: IssueRequest, leaf: bytes | None, wait: float = RELOAD_WAIT) -> None:
    """A reload is a signal: NGINX's new workers take over shortly after. Wait (bounded) until the
    hostname's first address serves the new leaf, so the live check judges the new certificate."""
    from pmwizard.checks.dnscheck import resolve_addresses
    from pmwizard.checks.lookup import Resolver
    from pmwizard.checks.tlscheck import probe

    if leaf is None:
        return
    from cryptography import x509

    want = x509.load_pem_x509_certificates(leaf)[0]
    addresses, _ = await resolve_addresses(Resolver(req.nameservers, req.timeout), req.hostname)
    if not addresses:
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while loop.time() < deadline:
        p = await probe(addresses[0], req.https_port, req.hostname, min(req.timeout, 2.0))
        if p.chain and p.chain[0] == want:
            return
        await asyncio.sleep(0.1)
