"""`pmwizard check dns|tls|p2p|cert-files|csr`: live DNS and TLS checks, Tendermint's P2P handshake with
peers, certificate files before deployment, and a new private key + CSR. Text grouped by target (symbol
and word per finding) or `--json` (SPEC §5); exit 0 when everything passed or only warned, 1 when
something failed or could not be checked."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pmwizard.cli.common import add_check_yes, info, port_number, print_json


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 300:
        raise argparse.ArgumentTypeError("use a timeout between 0 and 300 seconds")
    return value


def add_dns_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--nameserver", action="append", default=[], metavar="IP[:PORT]",
                   help="send every DNS query to this server (repeatable; port 53 unless given; IPv6 as [::1]:5353)")
    p.add_argument("--timeout", type=_timeout, default=5.0, metavar="S",
                   help="seconds before a silent server counts as a timeout (default 5)")
    p.add_argument("--json", action="store_true", help="print one JSON document: findings and summary")


def report(findings: Sequence, as_json: bool) -> int:
    from pmwizard.checks.finding import exit_code, report_json
    from pmwizard.checks.report import can_show_marks, render_text, use_colour

    if as_json:
        print_json(report_json(findings), "findings")
    else:
        sys.stdout.write(render_text(findings, colour=use_colour(sys.stdout),
                                     ascii_marks=not can_show_marks(sys.stdout)))
    return exit_code(findings)


def _nameservers(values: Sequence[str]) -> list:
    if not values:  # dnspython loads only when a server is named
        return []
    from pmwizard.checks.lookup import parse_nameserver

    return [parse_nameserver(v) for v in values]  # InputError names --nameserver before any query


def cmd_dns(args: argparse.Namespace) -> int:
    import asyncio
    import ipaddress

    from pmwizard.checks.dnscheck import check_dns
    from pmwizard.errors import InputError

    for ip in args.expect_ip:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise InputError("--expect-ip", ip, "not an IP address") from None
    findings = asyncio.run(check_dns(args.name, expect_ips=args.expect_ip, cname_target=args.cname_target,
                                     ca=args.ca, nameservers=_nameservers(args.nameserver), timeout=args.timeout))
    return report(findings, args.json)


def cmd_tls(args: argparse.Namespace) -> int:
    import asyncio

    from pmwizard.checks.tlscheck import check_tls

    findings = asyncio.run(check_tls(args.host, port=args.port, names=args.name, ca_file=args.ca_file,
                                     nameservers=_nameservers(args.nameserver), timeout=args.timeout))
    return report(findings, args.json)


def p2p_targets(args: argparse.Namespace) -> list:
    """DoctorTargets from TARGETs (HOST, HOST:PORT, [IPv6]:PORT or a peers entry ID@HOST:PORT), --card files
    and the persistent_peers of --config; InputError names the argument or file and the entry."""
    from pmwizard.checks.doctor import DoctorTarget, member_targets
    from pmwizard.core.peers import parse_peer_address, split_host_port
    from pmwizard.errors import InputError

    def peer_target(entry: str, source: str, field: str | None, label: str) -> DoctorTarget:
        """A peers entry ID@HOST:PORT as Tendermint parses it; the error names where it came from."""
        try:
            peer = parse_peer_address(entry)
        except ValueError as exc:
            raise InputError(source, field, f"{label}{exc}") from None
        return DoctorTarget(entry, peer.host, peer.port, peer.node_id.lower())

    targets = []
    for text in args.target:
        if "@" in text:
            targets.append(peer_target(text, "TARGET", text, ""))
            continue
        host, port = text, "26656"
        if text.startswith("[") or text.count(":") == 1:
            try:
                host, port = split_host_port(text)
            except ValueError as exc:
                raise InputError("TARGET", text, str(exc)) from None
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise InputError("TARGET", text, f"{port!r} is not a port (1-65535)")
        targets.append(DoctorTarget(text, host, int(port), args.node_id.lower() if args.node_id else None))
    if args.card:
        from pmwizard.cli.configure import load_valid_cards

        targets += member_targets(load_valid_cards(args.card))
    if args.config:
        from pmwizard.core.tmconfig import load_config

        line = str(load_config(Path(args.config)).get("p2p", {}).get("persistent_peers", ""))
        entries = [e.strip() for e in line.split(",") if e.strip()]
        if not entries:
            raise InputError(args.config, "p2p.persistent_peers", "is empty: this node has no peers to check")
        targets += [peer_target(entry, args.config, "p2p.persistent_peers", f"{entry}: ") for entry in entries]
    if not targets:
        args.usage("give a HOST[:PORT], an ID@HOST:PORT, --card FILE or --config FILE")  # exits 2
    if args.node_id and (len(args.target) != 1 or "@" in args.target[0]):
        args.usage("--node-id compares one TARGET given as HOST[:PORT]; cards and peers entries carry their own")
    return targets


def cmd_p2p(args: argparse.Namespace) -> int:
    import asyncio

    from pmwizard.checks.doctor import handshake_member, run_doctor

    targets = p2p_targets(args)
    chain_id = args.chain_id
    if args.genesis:
        from pmwizard.cli.common import read_genesis_arg
        from pmwizard.errors import InputError

        report_ = read_genesis_arg(args.genesis)
        if not report_.valid:
            raise InputError(args.genesis, None, "; ".join(report_.errors))
        chain_id = report_.chain_id
    nameservers = [str(n) for n in _nameservers(args.nameserver)]
    findings = asyncio.run(run_doctor(targets, chain_id=chain_id, nameservers=nameservers, timeout=args.timeout,
                                      checks=[("p2p.handshake", handshake_member)]))
    return report(findings, args.json)


def cmd_cert_files(args: argparse.Namespace) -> int:
    from pmwizard.checks.certfiles import check_cert_files

    return report(check_cert_files(args.cert, args.key, names=args.name, ca_file=args.ca_file), args.json)


def cmd_csr(args: argparse.Namespace) -> int:
    from pmwizard.checks.certfiles import csr_plan, plan_preview

    plan, key_file, csr_file = csr_plan(args.hostname, args.name, args.output, key_type=args.key_type)
    if args.check:
        sys.stdout.write(plan_preview(plan, [key_file]))
        return 0
    for w in plan.apply():
        info(f"wrote {w.path}" + (" (private key, mode 0600; keep it on this server)" if w.path == key_file
                                  else ""))
    info(f"next: give {csr_file} to your CA; install the certificate it returns with "
          f"`ssl_certificate /path/fullchain.pem;` and `ssl_certificate_key {key_file};`")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """`check --list`: the catalogue of checks and codes a finding can carry (text or --json)."""
    from pmwizard.checks.catalogue import catalogue_json, catalogue_text

    if not args.list:
        args.usage("choose a CHECK (dns, tls, p2p, cert-files, csr), or --list for the catalogue")  # exits 2
    if args.json:
        print_json(catalogue_json(), "check-catalogue")
    else:
        sys.stdout.write(catalogue_text())
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("check", help="check DNS, TLS or certificate files; make a key and CSR",
                              description="Live checks of one name (DNS, TLS) and of certificate files.")
    p.add_argument("--list", action="store_true", help="print every check and its codes (the catalogue)")
    p.add_argument("--json", action="store_true", help="with --list: one JSON document")
    p.set_defaults(func=cmd_list, usage=p.error)
    sub = p.add_subparsers(dest="check_command", metavar="CHECK")

    d = sub.add_parser("dns", help="A/AAAA, CNAME, CAA and the zone's own servers for NAME",
                       description="Check NAME in DNS: syntax, A and AAAA (private addresses flagged), CNAME "
                                   "chain, CAA, and the zone's authoritative servers asked directly.")
    d.add_argument("name", metavar="NAME")
    d.add_argument("--expect-ip", action="append", default=[], metavar="IP", help="the address(es) NAME must have")
    d.add_argument("--cname-target", metavar="HOST", help="NAME must be a CNAME for HOST")
    d.add_argument("--ca", metavar="DOMAIN", help="the CA that will issue (CAA must allow it), e.g. letsencrypt.org")
    add_dns_options(d)
    d.set_defaults(func=cmd_dns)

    t = sub.add_parser("tls", help="the certificate HOST serves on every address it resolves to",
                       description="Connect to each A/AAAA address of HOST with SNI=HOST and judge the chain the "
                                   "server sends: completeness, trust, names, validity, key, signature, protocol.")
    t.add_argument("host", metavar="HOST")
    t.add_argument("--port", type=port_number, default=443, help="TLS port (default 443)")
    t.add_argument("--name", action="append", default=[], metavar="EXTRA",
                   help="another name clients type that the certificate must cover (repeatable)")
    t.add_argument("--ca-file", metavar="PEM", help="extra trusted root(s), e.g. a consortium's own CA")
    add_dns_options(t)
    t.set_defaults(func=cmd_tls)

    q = sub.add_parser("p2p", help="Tendermint's P2P handshake: the node ID and chain behind host:port",
                       description="Dial each peer's P2P port and run Tendermint 0.34's secret-connection "
                                   "handshake with a throwaway key: the peer proves its node key and sends its "
                                   "NodeInfo (chain, moniker, version); pmwizard sends nothing else and closes. "
                                   "A node already connected to a peer at the same IP may close the probe "
                                   "(allow_duplicate_ip = false): that is a 'refused' warning.")
    q.add_argument("target", metavar="TARGET", nargs="*",
                   help="HOST, HOST:PORT (default 26656) or a persistent_peers entry ID@HOST:PORT")
    q.add_argument("--node-id", metavar="ID", help="the node ID the single TARGET must prove")
    q.add_argument("--card", action="append", default=[], metavar="FILE",
                   help="member card(s): a file or folder (repeatable); each card's node ID is compared")
    q.add_argument("--config", metavar="CONFIG_TOML", help="check every [p2p] persistent_peers entry of this file")
    chain = q.add_mutually_exclusive_group()
    chain.add_argument("--chain-id", metavar="ID", help="the chain the peers must run")
    chain.add_argument("--genesis", metavar="FILE", help="the chain the peers must run, from this genesis.json")
    add_dns_options(q)
    q.set_defaults(func=cmd_p2p, usage=q.error)

    f = sub.add_parser("cert-files", help="a certificate and key file before you deploy them",
                       description="Check CERT (PEM, leaf first then intermediates) and KEY: they parse, the key "
                                   "belongs to the certificate, the chain is complete and in order, names, dates.")
    f.add_argument("cert", metavar="CERT")
    f.add_argument("key", metavar="KEY", nargs="?")
    f.add_argument("--name", action="append", default=[], metavar="NAME", help="a name it must cover (repeatable)")
    f.add_argument("--ca-file", metavar="PEM", help="extra trusted root(s)")
    f.add_argument("--json", action="store_true", help="print one JSON document: findings and summary")
    f.set_defaults(func=cmd_cert_files)

    c = sub.add_parser("csr", help="make a private key and a certificate signing request",
                       description="Write DIR/HOST.key (private key, 0600, never overwritten, never shown) and "
                                   "DIR/HOST.csr for HOST and every --name. --check previews, --yes writes.")
    c.add_argument("--hostname", required=True, metavar="HOST", help="the node's host name (first name, CN)")
    c.add_argument("--name", action="append", default=[], metavar="NAME",
                   help="another name: consortium CNAME, round-robin name (repeatable)")
    c.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for the key and CSR")
    c.add_argument("--key-type", choices=("ec", "rsa"), default="ec", help="ec = P-256 (default), rsa = 3072 bits")
    add_check_yes(c)
    c.set_defaults(func=cmd_csr)
