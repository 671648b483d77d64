"""`pmwizard cert issue|renew|schedule`: get the node's certificate from an ACME CA (Let's Encrypt by
default), renew it before it expires, and schedule the renewal.

    pmwizard cert issue node1.example.org --name node1.consortium.org --email ops@example.org --check
    pmwizard cert issue node1.example.org --name node1.consortium.org --email ops@example.org --yes
    pmwizard cert renew --yes                 # what expires within 30 days; reloads NGINX
    pmwizard cert schedule --yes              # a systemd timer (or --cron) that runs `cert renew`

Findings as `check` prints them (or --json); exit 0 issued/renewed (warnings allowed), 1 a check or the
CA failed (the old files are then untouched), 2 usage. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pmwizard.cli.common import add_check_yes, port_number, print_json

CONFIG_HELP = "where account keys and renewal records live (default /etc/pmwizard/acme)"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("cert", help="get the TLS certificate from Let's Encrypt (ACME), renew it",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cert_command", metavar="ACTION", required=True)
    p = sub.add_parser("issue", help="obtain a certificate for the hostname (+ consortium names) over HTTP-01")
    p.add_argument("hostname", metavar="HOSTNAME", help="the node's public DNS name")
    p.add_argument("--name", action="append", default=[], metavar="EXTRA",
                   help="another name on the certificate (consortium CNAME, round-robin name); repeatable")
    p.add_argument("--acme-directory", metavar="URL", help="any RFC 8555 directory (default Let's Encrypt)")
    p.add_argument("--staging", action="store_true", help="Let's Encrypt's staging CA (untrusted test certificates)")
    p.add_argument("--email", metavar="ADDR", help="the account's contact (expiry warnings from the CA)")
    p.add_argument("--http-01", dest="mode", choices=("webroot", "standalone"),
                   help="answer through the web server's webroot, or a listener of our own (default: webroot "
                        "when a web server answers on the HTTP port, else standalone)")
    p.add_argument("--webroot", metavar="DIR", help="folder the NGINX site serves /.well-known/acme-challenge/ "
                                                    "from (default /var/www/pmwizard-acme)")
    p.add_argument("--http-port", type=port_number, metavar="N",
                   help="port the CA's HTTP-01 request arrives on (default 80)")
    p.add_argument("--https-port", type=port_number, metavar="N",
                   help="port NGINX serves HTTPS on (live check; default 443)")
    p.add_argument("--listen", metavar="IP", help="address for the standalone listener (default: all)")
    p.add_argument("--cert", metavar="FILE", help="full chain PEM to write (default "
                                                  "/etc/letsencrypt/live/HOST/fullchain.pem, "
                                                  "where the NGINX site looks)")
    p.add_argument("--key", metavar="FILE", help="private key (default /etc/letsencrypt/live/HOST/privkey.pem; "
                                                 "an existing key is reused, never overwritten)")
    p.add_argument("--ca-file", metavar="PEM", help="trust anchors for the ACME server's own HTTPS (a private CA)")
    p.add_argument("--caa-identity", metavar="DOMAIN", help="the CA's name in CAA records (default: from the "
                                                            "directory; letsencrypt.org for Let's Encrypt)")
    p.add_argument("--public-ip", action="append", default=[], metavar="IP",
                   help="this node's public address when behind NAT (repeatable)")
    p.add_argument("--check-ca-file", metavar="PEM", help="extra trust anchors for the live TLS check afterwards")
    p.add_argument("--reload-command", metavar="CMD", help="how to reload NGINX (default: nginx -s reload)")
    p.add_argument("--nameserver", action="append", default=[], metavar="IP[:PORT]",
                   help="send the pre-flight's DNS queries to this server (repeatable)")
    p.add_argument("--timeout", type=float, default=5.0, metavar="S", help="seconds per network step (default 5)")
    _common(p)
    add_check_yes(p)
    p.set_defaults(func=cmd_issue)

    r = sub.add_parser("renew", help="renew every pmwizard certificate within --days of expiry; reload NGINX")
    r.add_argument("--days", type=int, default=30, help="renew what expires within this many days (default 30)")
    r.add_argument("--force", action="store_true", help="renew even when not due")
    _common(r)
    group = r.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true", help="only say what is due; contact nobody, write nothing")
    group.add_argument("--yes", action="store_true", help="renew what is due and write it (previous files backed up)")
    r.set_defaults(func=cmd_renew)

    s = sub.add_parser("schedule", help="write a systemd timer (or cron file) that runs `cert renew` twice a day")
    s.add_argument("--cron", action="store_true",
                   help="a cron file (/etc/cron.d/pmwizard-renew) instead of systemd units")
    s.add_argument("--output", metavar="PATH", help="systemd: the units' folder (default /etc/systemd/system); "
                                                    "cron: the file")
    s.add_argument("--config-dir", metavar="DIR", help=CONFIG_HELP)
    add_check_yes(s)
    s.set_defaults(func=cmd_schedule)


def _common(p: argparse.ArgumentParser) -> None:
    """Options of issue and renew (renew asks again exactly as the renewal record says)."""
    p.add_argument("--config-dir", metavar="DIR", help=CONFIG_HELP)
    p.add_argument("--json", action="store_true", help="one JSON document: findings, summary, files written")


def _progress() -> Callable[[str], None]:
    """Progress lines go to stderr: stdout holds only the report (one JSON document with --json)."""

    def say(text: str) -> None:
        print(f"... {text}", file=sys.stderr, flush=True)

    return say


def cmd_issue(args: argparse.Namespace) -> int:
    import shlex

    from pmwizard.acme.issue import issue
    from pmwizard.acme.request import LETSENCRYPT_STAGING, make_request
    from pmwizard.checks.lookup import parse_nameserver
    from pmwizard.errors import InputError

    if args.staging and args.acme_directory:
        raise InputError("<command line>", "--staging", "give either --staging or --acme-directory, not both")
    if not 0 < args.timeout <= 120:
        raise InputError("<command line>", "--timeout", "use 0 to 120 seconds")
    nameservers = tuple(str(parse_nameserver(n)) for n in args.nameserver)
    reload_command = tuple(shlex.split(args.reload_command)) if args.reload_command else None
    if reload_command == ():
        raise InputError("<command line>", "--reload-command", "is empty")
    req = make_request(
        args.hostname, args.name, directory=LETSENCRYPT_STAGING if args.staging else args.acme_directory,
        email=args.email, mode=args.mode, webroot=args.webroot, http_port=args.http_port,
        https_port=args.https_port, listen=args.listen, cert=args.cert, key=args.key, ca_file=args.ca_file,
        caa_identity=args.caa_identity, public_ips=tuple(args.public_ip), nameservers=nameservers,
        config_dir=args.config_dir, reload_command=reload_command, check_ca_file=args.check_ca_file,
        timeout=args.timeout)
    outcome = issue(req, apply=args.yes, progress=_progress())
    later = (f"# and {req.cert}: the certificate chain for {', '.join(req.all_names)}, which exists only once "
             "the CA has validated (written with --yes, the previous one kept as a backup)\n")
    return _report(outcome.findings, outcome.plan if args.check else None, outcome.written, args,
                   next_steps=outcome.next_steps, later=later if outcome.plan is not None else "",
                   extra={"mode": outcome.mode, "certificate": str(req.cert), "key": str(req.key),
                          "not_after": outcome.not_after.isoformat() if outcome.not_after else None})


def cmd_renew(args: argparse.Namespace) -> int:
    from pmwizard.acme.renew import renew
    from pmwizard.acme.request import DEFAULT_CONFIG_DIR

    config_dir = Path(args.config_dir).expanduser().absolute() if args.config_dir else DEFAULT_CONFIG_DIR
    outcome = renew(config_dir, days=args.days, apply=args.yes, force=args.force, progress=_progress())
    return _report(outcome.findings, None, outcome.written, args, extra={"renewed": outcome.renewed})


def cmd_schedule(args: argparse.Namespace) -> int:
    from pmwizard.acme.request import DEFAULT_CONFIG_DIR
    from pmwizard.acme.schedule import CRON_FILE, SYSTEMD_DIR, cron_plan, systemd_plan
    from pmwizard.cli.common import run_plan

    config_dir = Path(args.config_dir).expanduser().absolute() if args.config_dir else DEFAULT_CONFIG_DIR
    if args.cron:
        plan = cron_plan(config_dir, Path(args.output).expanduser().absolute() if args.output else CRON_FILE)
    else:
        plan = systemd_plan(config_dir, Path(args.output).expanduser().absolute() if args.output else SYSTEMD_DIR)
    return run_plan(plan, args)


def _report(findings: list, plan: Any, written: list, args: argparse.Namespace, *,
            next_steps: Sequence[str] = (), later: str = "", extra: dict | None = None) -> int:
    from pmwizard.checks.finding import exit_code, report_json
    from pmwizard.checks.report import render_text, use_colour

    if args.json:
        doc = report_json(findings)
        doc["written"] = [{"path": str(w.path), "backup": str(w.backup) if w.backup else None} for w in written]
        doc["would_write"] = [str(c.path) for c in plan.pending] if plan is not None else []
        doc.update(extra or {})
        if plan is not None and later:
            doc["would_write"].append(doc["certificate"])
        print_json(doc)
        return exit_code(findings)
    sys.stdout.write(render_text(findings, colour=use_colour(sys.stdout)))
    if plan is not None:
        sys.stdout.write(plan.diff() + later)
    for w in written:
        print(f"wrote {w.path}" + (f" (previous version kept as {w.backup})" if w.backup else ""))
    for step in next_steps:
        print(f"next: {step}")
    return exit_code(findings)
