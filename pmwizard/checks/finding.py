"""A Finding is one result of one check: what was checked, how it went, the evidence, and the fix."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"  # could not check: timeout, resolver down. Never blamed on the operator.


@dataclass(frozen=True)
class Finding:
    """One check's outcome. Every non-pass finding carries a `fix` a person can act on."""

    check: str  # catalogue name, e.g. "dns.a" (SPEC §6)
    target: str  # what was checked: a hostname, "host:port", a file
    status: Status
    code: str  # catalogue code, e.g. "mismatch"
    message: str
    fix: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "target": self.target,
            "status": str(self.status),
            "code": self.code,
            "message": self.message,
            "fix": self.fix,
            "evidence": dict(self.evidence),
        }


def summarize(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {s.value: 0 for s in Status}
    for f in findings:
        counts[str(f.status)] += 1
    return counts


def report_json(findings: Iterable[Finding]) -> dict[str, Any]:
    """The `--json` document of `check` and `doctor` (SPEC §5)."""
    items = list(findings)
    return {"findings": [f.to_json() for f in items], "summary": summarize(items)}


def exit_code(findings: Iterable[Finding]) -> int:
    """0 when everything passed or only warned; 1 when something failed; 3 when nothing failed but
    something could not be checked (a timeout, a resolver down): a script can retry 3, not 1."""
    statuses = {Status(f.status) for f in findings}
    if Status.FAIL in statuses:
        return 1
    return 3 if Status.ERROR in statuses else 0
