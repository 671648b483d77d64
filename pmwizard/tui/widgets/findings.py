"""A list of Findings that grows as checks finish; each row expands to its evidence and its fix."""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Collapsible, Static

from pmwizard.checks.finding import Finding, Status

MARK = {Status.PASS: ("ok", "green"), Status.WARN: ("warn", "yellow"), Status.FAIL: ("FAIL", "red"),
        Status.ERROR: ("error", "magenta")}


def finding_title(f: Finding, by_member: bool = False) -> str:
    """`[ word] check code: message`; led by the member's name when the list holds several members."""
    word, _ = MARK[f.status]
    member = f.evidence.get("member") if by_member and isinstance(f.evidence, dict) else None
    return f"[{word:>5}] {member + ': ' if member else ''}{f.check} {f.code}: {f.message}"


class FindingRow(Collapsible):
    """One finding: the title line, and (expanded) the fix and the evidence."""

    def __init__(self, finding: Finding, by_member: bool = False) -> None:
        self.finding = finding
        body = []
        if finding.fix:
            body.append(Static(f"fix: {finding.fix}", classes="fix", markup=False))
        body.append(Static(f"target: {finding.target}", markup=False))
        if finding.evidence:
            body.append(Static(json.dumps(finding.evidence, indent=1, default=str)[:1500], classes="evidence",
                               markup=False))
        super().__init__(*body, title=finding_title(finding, by_member), collapsed=True, classes=f"finding {finding.status.value}")


class FindingList(Vertical):
    """Findings in arrival order, with a summary line on top."""

    DEFAULT_CSS = """
    FindingList { height: auto; }
    FindingList .summary { color: $text-muted; }
    FindingList Collapsible { padding: 0; margin: 0; border: none; height: auto; background: $surface; }
    FindingList CollapsibleTitle { padding: 0 1; }
    FindingList Collapsible > Contents { padding: 0 0 0 3; height: auto; }
    FindingList .fail CollapsibleTitle, FindingList .error CollapsibleTitle { color: $error; }
    FindingList .warn CollapsibleTitle { color: $warning; }
    FindingList .pass CollapsibleTitle { color: $success; }
    FindingList .fix { color: $accent; }
    """

    by_member = False  # set it when the findings come from several members: each row then names its member

    def compose(self) -> ComposeResult:
        yield Static("no checks run yet", classes="summary")

    def clear_findings(self) -> None:
        for row in self.query(FindingRow):
            row.remove()
        self.findings: list[Finding] = []
        self._summary()

    def add_finding(self, finding: Finding) -> None:
        if not hasattr(self, "findings"):
            self.findings = []
        self.findings.append(finding)
        self.mount(FindingRow(finding, self.by_member))
        self._summary()

    def _summary(self) -> None:
        counts = {s: 0 for s in Status}
        for f in getattr(self, "findings", []):
            counts[f.status] += 1
        text = "  ".join(f"{MARK[s][0]} {n}" for s, n in counts.items())
        self.query_one(".summary", Static).update(f"{len(getattr(self, 'findings', []))} findings: {text}")
