"""Which p2p.handshake codes the tests of this folder produced (test_zz_codes checks all of them)."""

from __future__ import annotations

from pmwizard.checks.finding import Finding

PRODUCED: set[str] = set()


def seen(finding: Finding) -> Finding:
    assert finding.check == "p2p.handshake"
    PRODUCED.add(finding.code)
    if finding.status != "pass":
        assert finding.fix, f"a non-pass finding without a fix: {finding.to_json()}"
    return finding
