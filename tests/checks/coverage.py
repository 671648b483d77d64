"""Which (check, code) pairs the tests have produced: every test hands its findings to `seen`."""

from __future__ import annotations

from collections.abc import Iterable

from pmwizard.checks.finding import Finding

PRODUCED: set[tuple[str, str]] = set()


def seen(findings: Iterable[Finding]) -> list[Finding]:
    items = list(findings)
    PRODUCED.update((f.check, f.code) for f in items)
    return items


def one(findings: Iterable[Finding], check: str) -> Finding:
    """The single finding of `check`, with a readable failure listing all findings otherwise."""
    items = seen(findings)
    hits = [f for f in items if f.check == check]
    assert len(hits) == 1, f"expected one {check} finding, got {[f.to_json() for f in items]}"
    return hits[0]
