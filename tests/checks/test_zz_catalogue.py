"""Every code of SPEC §6 for DNS, TLS and reachability is produced by at least one test of this folder.
Runs last (file name); each test hands its findings to coverage.seen. The table below is the catalogue,
spelled exactly as in SPEC §6, with the test that produces each code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .coverage import PRODUCED

CATALOGUE = {
    "dns.name": {"ok": "test_dns::good_name", "invalid": "test_dns::name_syntax_and_doubled_suffix"},
    "dns.a": {"ok": "test_dns::good_name", "nxdomain": "test_dns::nxdomain_and_nodata",
              "nodata": "test_dns::nxdomain_and_nodata", "mismatch": "test_dns::mismatch",
              "private": "test_dns::aaaa_absent_and_private", "servfail": "test_dns::servfail",
              "timeout": "test_dns::silent_resolver"},
    "dns.aaaa": {"ok": "test_dns::good_name", "absent": "test_dns::aaaa_absent", "private": "test_dns::private"},
    "dns.cname": {"ok": "test_dns::cname_ok", "missing": "test_dns::cname_missing",
                  "wrong_target": "test_dns::cname_wrong_target + test_doctor", "dangling": "test_dns::dangling",
                  "loop": "test_dns::loop"},
    "dns.caa": {"ok": "test_dns::caa", "forbids": "test_dns::caa"},
    "dns.authority": {"agree": "test_dns::good_name", "disagree": "test_dns::authority (split.test)",
                      "lame": "test_dns::authority (lame.test)"},
    "tls.connect": {"ok": "test_tls::nginx_good", "refused": "test_tls::refused",
                    "timeout": "test_tls::never_finishing", "not_tls": "test_tls::plain_http"},
    "tls.chain": {"ok": "test_tls::nginx_good", "incomplete": "test_tls::nginx_leaf_without_intermediate",
                  "untrusted": "test_tls::untrusted", "self_signed": "test_tls::self_signed"},
    "tls.name": {"ok": "test_tls::nginx_good", "mismatch": "test_tls::wrong_name"},
    "tls.validity": {"ok": "test_tls::nginx_good", "expired": "test_tls::validity", "expiring": "test_tls::validity",
                     "not_yet_valid": "test_tls::validity"},
    "tls.key": {"ok": "test_tls::nginx_good", "weak": "test_tls::weak_key (RSA 1024)"},
    "tls.signature": {"ok": "test_tls::nginx_good", "weak": "test_tls::sha1_signature"},
    "tls.protocol": {"ok": "test_tls::nginx_good", "old": "test_tls::old_protocol (TLS 1.1)"},
    "tls.shared": {"ok": "test_doctor", "shared": "test_doctor"},
    "net.p2p": {"open": "test_reach (Tendermint)", "closed": "test_reach", "timeout": "test_reach (full backlog)"},
    "api.planetmint": {"ok": "test_reach", "unexpected": "test_reach", "unreachable": "test_reach"},
    "rpc.status": {"ok": "test_reach (Tendermint)", "node_id_mismatch": "test_reach",
                   "chain_id_mismatch": "test_reach", "unreachable": "test_reach"},
    "tarantool": {"ok": "test_reach (Tarantool 2.6)", "unreachable": "test_reach", "not_tarantool": "test_reach"},
    # the running network (issue 11.2 and 16): real 4-validator CometBFT network, verdicts over real-shaped views
    "node.peers": {"ok": "test_network_health", "none": "test_network_health (lagging node)",
                   "duplicate_ip": "test_node_health", "wrong_peers": "test_network_health (lonely node)",
                   "dns": "test_network_health (silent nameserver)",
                   "firewall": "test_network_health (full backlog)", "peers_down": "test_network_health"},
    "node.blocks": {"ok": "test_network_health", "no_block": "test_node_health", "stalled": "test_network_verdicts",
                    "catching_up": "test_network_verdicts", "stuck": "test_network_health (lagging node)",
                    "unreadable": "test_network_verdicts (half an RPC)"},
    "network.consensus": {"ok": "test_network_health", "margin": "test_network_health (one down)",
                          "halt": "test_network_health (two down)", "stall": "test_network_health (two down)"},
    "network.validator": {"ok": "test_network_health", "missed": "test_network_verdicts",
                          "not_signing": "test_network_health (one down)"},
    "network.peer": {"ok": "test_network_health", "not_connected": "test_network_health (one down)",
                     "stale_dns": "test_network_health (Knot)"},
    "network.node": {"ok": "test_network_health", "catching_up": "test_network_health (lagging node)",
                     "unreachable": "test_network_health (two down)"},
    "network.version": {"ok": "test_network_health", "skew": "test_network_verdicts"},
    "network.app_hash": {"ok": "test_network_health", "diverged": "test_network_verdicts"},
    "network.clock": {"ok": "test_network_health", "skew": "test_network_health (faketime)"},
    "network.disk": {"ok": "test_network_health", "low": "test_network_verdicts"},
}
# SPEC §6 as copied into the repository (the suite runs from a fresh clone); where the shared SPEC.md sits
# beside the repository, the copy must still be its §6 word for word
TABLE = Path(__file__).parents[1] / "fixtures/spec-check-catalogue.md"
SPEC = Path(__file__).resolve().parents[3] / "shared/SPEC.md"


# the running network's checks, in §6's format, until SPEC §6 lists them (then they move into TABLE)
ADDED = Path(__file__).parents[1] / "fixtures/network-check-catalogue.md"


def test_table_matches_the_spec() -> None:
    table = TABLE.read_text()
    if SPEC.exists():
        assert table in SPEC.read_text(), f"{TABLE} no longer matches §6 of {SPEC}: copy it again"
    rows = {}
    for text in (table, ADDED.read_text()):
        found = dict(re.findall(r"^\| ([a-z0-9._]+) \| ([a-z_, ]+) \|", text, re.MULTILINE))
        found.pop("check")  # the header row
        assert not set(found) & set(rows), "a check in both tables"
        rows.update(found)
    assert set(rows) == set(CATALOGUE)
    for check, codes in CATALOGUE.items():
        assert set(rows[check].replace(" ", "").split(",")) == set(codes), check


def test_every_code_was_produced(request: pytest.FixtureRequest) -> None:
    modules = {Path(str(i.fspath)).name for i in request.session.items}
    needed = {"test_dns.py", "test_tls.py", "test_reach.py", "test_doctor.py", "test_network_health.py",
              "test_node_health.py", "test_network_verdicts.py"}
    if not needed <= modules:
        pytest.skip("run the whole tests/checks folder to see the coverage of the catalogue")
    missing = [f"{c}/{code}" for c, codes in CATALOGUE.items() for code in codes if (c, code) not in PRODUCED]
    assert not missing, f"codes no test produced: {missing}"


def test_the_shipped_catalogue_is_the_spec() -> None:
    """`pmwizard check --list` prints pmwizard/checks/catalogue.py: its SPEC rows must be §6 row for row."""
    from pmwizard.checks.catalogue import NETWORK_ROWS, SPEC_ROWS

    def rows(path: Path) -> list[str]:
        return [line for line in path.read_text().splitlines()
                if line.startswith("| ") and not line.startswith("| check ")]

    assert [c.markdown_row() for c in SPEC_ROWS] == rows(TABLE)
    assert [c.markdown_row() for c in NETWORK_ROWS] == rows(TABLE.parent / "network-check-catalogue.md")
    shipped = {c.check: set(c.codes) for c in SPEC_ROWS + NETWORK_ROWS}
    assert shipped == {k: set(v) for k, v in CATALOGUE.items()}
