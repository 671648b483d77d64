"""A list of Findings that grows as checks finish; Enter (or a click) on a row opens it in place to show its
fix, its target and its evidence.

One OptionList holds every row: a doctor over 50 members streams 800 findings, and a widget per finding
kept the event loop busy for seconds (bench/ui_bench.py). Findings arriving together are added in one
batch, at most every FLUSH seconds."""

from __future__ import annotations

import json

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pmwizard.checks.finding import Finding, Status
from pmwizard.core.shown import visible

MARK = {Status.PASS: ("ok", "$success"), Status.WARN: ("warn", "$warning"), Status.FAIL: ("FAIL", "$error"),
        Status.ERROR: ("error", "$error")}
FLUSH = 0.1
RANK = {Status.FAIL: 0, Status.ERROR: 1, Status.WARN: 2, Status.PASS: 3}  # problems first, in the counts too


def finding_title(f: Finding, by_member: bool = False) -> str:
    """`word  check code: message` (word: ok, warn, FAIL, error); led by the member's name when the list
    holds several members."""
    word, _ = MARK[f.status]
    member = f.evidence.get("member") if by_member and isinstance(f.evidence, dict) else None
    # Messages quote peers and servers (a moniker, a certificate's names): shown escaped, never raw.
    return visible(f"{word:<5} {str(member) + ': ' if member else ''}{f.check} {f.code}: {f.message}")


def finding_prompt(f: Finding, by_member: bool, opened: bool) -> Content:
    """The row: the mark and the status word in the status colour (the word says it too, for NO_COLOR), the
    rest in the text colour; when opened, the fix, the target and the evidence below it. Plain text
    throughout: nothing in a finding is read as markup."""
    colour = MARK[f.status][1]
    title = finding_title(f, by_member)
    head = f"{'▼' if opened else '▶'} {title[:5]}"
    lines = [Content.assemble((head, f"{colour} bold"), title[5:])]
    if opened:
        if f.fix:
            lines.append(Content(f"    fix: {visible(f.fix)}").stylize("$accent"))
        lines.append(Content(f"    target: {visible(f.target)}"))
        if f.evidence:
            evidence = json.dumps(f.evidence, indent=1, default=str)[:1500]
            lines.extend(Content("    " + line).stylize("$text-muted") for line in evidence.splitlines())
    return Content("\n").join(lines)


class FindingRows(OptionList):
    """The OptionList of findings, measuring each row's height once per width: with `height: auto` Textual asks
    for the list's whole height at every layout, re-wrapping every row (O(N) text wrapping on each batch of
    findings: ~100 ms at 800 rows, the wizard's worst stall while troubleshooting 50 members)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._row_heights: dict[tuple[int, int], tuple[object, int]] = {}  # (id(prompt), width) -> (prompt, lines)

    def clear_options(self, keep_heights: bool = False):
        """Remove every row; `keep_heights`: the same rows come back (reordered), their measured heights stay."""
        if not keep_heights:
            self._row_heights.clear()
        return super().clear_options()

    def get_content_height(self, container, viewport, width: int) -> int:
        padding = self.get_component_styles("option-list--option").padding.width
        total = 0
        for option in self.options:
            prompt = option.prompt
            hit = self._row_heights.get((id(prompt), width))
            if hit is None or hit[0] is not prompt:  # an opened row has a new prompt: measured again
                hit = (prompt, self._get_visual(option).get_height(self.styles, width - padding))  # type: ignore[arg-type]  # Textual passes its styles so too
                self._row_heights[(id(prompt), width)] = hit
            total += hit[1] + option._divider
        return total - (1 if self.options and self.options[-1]._divider else 0)


class FindingList(Vertical):
    """Findings in arrival order, with a summary line on top."""

    DEFAULT_CSS = """
    FindingList { height: auto; }
    FindingList .summary { color: $text-muted; }
    FindingList OptionList { height: auto; max-height: 100%; border: none; padding: 0; background: $surface; }
    FindingList OptionList:focus { border: none; }
    """
    by_member = False  # set it when the findings come from several members: each row then names its member

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.findings: list[Finding] = []  # every finding received, in order
        self._shown = 0  # how many of them are rows already
        self._opened: set[int] = set()
        self._rows: list[Option] = []  # the row of each shown finding, by finding index: reordered, never rebuilt

    def compose(self) -> ComposeResult:
        yield Static("no checks run yet", classes="summary")
        rows = FindingRows(classes="findings")
        rows.can_focus = False  # until a finding arrives: an empty list is an invisible Tab stop
        yield rows

    def clear_findings(self) -> None:
        self.findings = []
        self._shown = 0
        self._opened = set()
        self._rows = []
        self.query_one(OptionList).clear_options()
        self._summary()

    def add_finding(self, finding: Finding) -> None:
        if len(self.findings) == self._shown:
            self.set_timer(FLUSH, self.flush)
        self.findings.append(finding)

    def flush(self) -> None:
        """Rows for every finding received so far (called by the timer, and by a run when it ends)."""
        start, self._shown = self._shown, len(self.findings)
        if start == self._shown:
            return
        new = [Option(finding_prompt(f, self.by_member, False), id=str(i))
               for i, f in enumerate(self.findings[start:], start)]
        self._rows.extend(new)
        self.query_one(OptionList).add_options(new)
        self._summary()

    @on(OptionList.OptionSelected)
    def toggle(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = int(event.option.id or 0)
        opened = index not in self._opened
        (self._opened.add if opened else self._opened.discard)(index)
        event.option_list.replace_option_prompt(str(index), finding_prompt(self.findings[index], self.by_member,
                                                                           opened))

    def problems_first(self) -> None:
        """Reorder the rows: fail, error, warn, then ok (arrival order within each), once a run has ended;
        while findings stream in they stay in arrival order so rows do not jump under the cursor.
        The same row objects move: their text is neither rebuilt nor re-wrapped (a rebuild of 800 rows held the
        wizard's event loop ~110 ms when a troubleshoot run over 50 members ended)."""
        self.flush()
        order = sorted(range(len(self.findings)), key=lambda i: (RANK[self.findings[i].status], i))
        rows = self.query_one(FindingRows)
        rows.clear_options(keep_heights=True)
        rows.add_options([self._rows[i] for i in order])

    def _summary(self) -> None:
        counts = {s: 0 for s in sorted(Status, key=RANK.__getitem__)}
        for f in self.findings[:self._shown]:
            counts[f.status] += 1
        text = "  ".join(f"{MARK[s][0]} {n}" for s, n in counts.items())
        self.query_one(OptionList).can_focus = self._shown > 0  # an empty list is an invisible Tab stop
        self.query_one(".summary", Static).update(f"{self._shown} findings: {text}")
