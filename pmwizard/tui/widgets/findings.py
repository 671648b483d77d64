"""A list of Findings that grows as checks finish; Enter (or a click) on a row opens it in place to show its
fix, its target and its evidence.

One OptionList holds every row: a doctor over 50 members streams 800 findings, and a widget per finding
kept the event loop busy for seconds (bench/ui_bench.py). Findings arriving together are added in batches
of at most FLUSH_ROWS rows, one batch every FLUSH seconds: wrapping a row's text costs ~0.2 ms, so 800 rows
landing at once would hold every key press for ~150 ms."""

from __future__ import annotations

import asyncio
import json

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.visual import RulesMap
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pmwizard.checks.finding import Finding, Status
from pmwizard.core.shown import visible

MARK = {Status.PASS: ("ok", "$success"), Status.WARN: ("warn", "$warning"), Status.FAIL: ("FAIL", "$error"),
        Status.ERROR: ("error", "$error")}
FLUSH = 0.1
FLUSH_ROWS = 60  # rows per batch: ~10-15 ms of text wrapping, so the wizard's loop never waits on more
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
    row = Content("\n").join(lines)
    return RowText(row.plain, list(row.spans), row.cell_length, strip_control_codes=False)


class RowText(Content):
    """A row's text that remembers its height at every width it was measured at. Content remembers one, and
    the list measures each row at two widths (its own layout, and its lines with or without the scrollbar):
    each batch and each reorder re-wrapped every row (~0.1 ms a row: ~50-100 ms at 800 rows, the wizard's worst
    stall while troubleshooting 50 members). Measured once per width, a reorder moves rows without wrapping."""

    def get_height(self, rules: RulesMap, width: int) -> int:
        key = (width, rules.get("line_pad", 0), rules.get("text_overflow", "fold"), rules.get("text_wrap", "wrap"))
        heights: dict[tuple[int, int, str, str], int] | None = getattr(self, "_heights", None)
        if heights is None:
            heights = {}
            self._heights = heights
        if key not in heights:
            heights[key] = super().get_height(rules, width)
        return heights[key]


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
        rows = OptionList(classes="findings")
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
        if len(self.findings) == self._shown:  # else a batch is due already (_flush_some re-arms itself)
            self.set_timer(FLUSH, self._flush_some)
        self.findings.append(finding)

    def flush(self) -> None:
        """Rows for every finding received so far (a run calls it when it ends)."""
        self._add_rows(len(self.findings))

    def _flush_some(self) -> None:
        """The timer's batch; the timer comes back for the rest."""
        if self._add_batch():
            self.set_timer(FLUSH / 10, self._flush_some)

    def _add_batch(self) -> bool:
        """Rows for at most FLUSH_ROWS more findings; True while more are due."""
        self._add_rows(min(len(self.findings), self._shown + FLUSH_ROWS))
        return self._shown < len(self.findings)

    def _add_rows(self, end: int) -> None:
        start = self._shown
        if end <= start:
            return
        self._shown = end
        new = [Option(finding_prompt(f, self.by_member, False), id=str(i))
               for i, f in enumerate(self.findings[start:end], start)]
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

    async def problems_first(self) -> None:
        """Reorder the rows: fail, error, warn, then ok (arrival order within each), once a run has ended;
        while findings stream in they stay in arrival order so rows do not jump under the cursor.
        Rows still due are made batch by batch, letting key presses in between; then the same row objects
        move: their text is neither rebuilt nor re-wrapped (a rebuild of 800 rows held the wizard's event loop
        ~110 ms when a troubleshoot run over 50 members ended)."""
        due = self._add_batch()
        while due:
            await asyncio.sleep(FLUSH / 10)  # a pause, not just a yield: key presses and repaints go first
            due = self._add_batch()
        order = sorted(range(len(self.findings)), key=lambda i: (RANK[self.findings[i].status], i))
        rows = self.query_one(OptionList)
        rows.clear_options()
        rows.add_options([self._rows[i] for i in order])

    def _summary(self) -> None:
        counts = {s: 0 for s in sorted(Status, key=RANK.__getitem__)}
        for f in self.findings[:self._shown]:
            counts[f.status] += 1
        text = "  ".join(f"{MARK[s][0]} {n}" for s, n in counts.items())
        self.query_one(OptionList).can_focus = self._shown > 0  # an empty list is an invisible Tab stop
        self.query_one(".summary", Static).update(f"{self._shown} findings: {text}")
