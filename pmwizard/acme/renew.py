"""`cert renew`: every certificate issued through pmwizard (its renewal record) that expires within the
window is issued again the same way, reusing its key; NGINX is reloaded once afterwards and each renewed
name checked live. A failed renewal leaves the old files as they were (the Plan is never applied).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pmwizard.acme.issue import IssueOutcome, issue, live_tls, reload_web_server
from pmwizard.acme.request import RenewalRecord, load_record, record_files
from pmwizard.checks.finding import Finding, Status
from pmwizard.core.plan import Written
from pmwizard.core.shown import visible
from pmwizard.errors import InputError

RENEW_WITHIN_DAYS = 30
Progress = Callable[[str], None]


@dataclass
class RenewOutcome:
    findings: list[Finding] = field(default_factory=list)
    written: list[Written] = field(default_factory=list)
    renewed: list[str] = field(default_factory=list)


def expiry(cert: Path) -> dt.datetime | None:
    """The leaf's notAfter, or None when the file is missing or not a certificate (then: renew)."""
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificates(cert.read_bytes())[0].not_valid_after_utc
    except (OSError, ValueError, IndexError):
        return None


def due(record: RenewalRecord, days: int, now: dt.datetime) -> tuple[bool, dt.datetime | None]:
    ends = expiry(record.request.cert)
    return (ends is None or ends - now <= dt.timedelta(days=days)), ends


def renew(config_dir: Path, *, days: int = RENEW_WITHIN_DAYS, apply: bool = True, force: bool = False,
          progress: Progress = lambda _: None, now: dt.datetime | None = None) -> RenewOutcome:
    """Renew what is due under `config_dir`; with apply=False only say what is due (nothing contacted)."""
    if not 0 <= days <= 3650:
        raise InputError("<command line>", "--days", f"{days}: use 0 to 3650")
    now = now or dt.datetime.now(dt.UTC)
    out = RenewOutcome()
    files = record_files(config_dir)
    if not files:
        out.findings.append(Finding("acme.renew", str(config_dir), Status.WARN, "none",
                                    "no certificate issued by pmwizard is recorded here",
                                    fix="Issue one first: pmwizard cert issue HOSTNAME --yes "
                                        "(or give --config-dir where you issued it)"))
        return out
    reloads: dict[tuple[str, ...], list[IssueOutcome]] = {}
    for path in files:
        try:
            record = load_record(path)
        except InputError as exc:
            out.findings.append(Finding("acme.renew", visible(str(path)), Status.FAIL, "bad_record",
                                        visible(str(exc)),
                                        fix="Issue the certificate again with `pmwizard cert issue ... --yes`, "
                                            "which rewrites the record"))
            continue
        req = record.request
        is_due, ends = due(record, days, now)
        until = f"{ends:%Y-%m-%d}" if ends else "unknown (no readable certificate)"
        if not (is_due or force):
            out.findings.append(Finding("acme.renew", req.hostname, Status.PASS, "not_due",
                                        f"valid until {until}: more than {days} days left",
                                        evidence={"not_after": ends.isoformat() if ends else None}))
            continue
        if not apply:
            out.findings.append(Finding("acme.renew", req.hostname, Status.PASS, "due",
                                        f"valid until {until}: would be renewed now",
                                        evidence={"not_after": ends.isoformat() if ends else None}))
            continue
        progress(f"renewing {req.hostname} (valid until {until})")
        result = issue(req, apply=True, progress=progress, reload=False, live_check=False)
        out.findings += result.findings
        out.written += result.written
        if result.issued:
            out.renewed.append(req.hostname)
            out.findings.append(Finding("acme.renew", req.hostname, Status.PASS, "renewed",
                                        f"renewed: was valid until {until}, now until {result.not_after:%Y-%m-%d}"))
            if result.mode == "webroot":
                reloads.setdefault(req.reload_command, []).append(result)
        else:
            out.findings.append(Finding("acme.renew", req.hostname, Status.FAIL, "failed",
                                        f"not renewed; the certificate valid until {until} stays in place",
                                        fix="See the findings above; the next scheduled run tries again"))
    for command, results in reloads.items():
        out.findings.append(reload_web_server(command))
        for r in results:
            leaf = r.request.cert.read_bytes() if r.request.cert.exists() else None
            out.findings += live_tls(r.request, progress, leaf)
    return out
