"""Member step 10: the closing summary: the files written this run with their backups, the card sent, the
genesis fingerprint, and what comes next (instead of Finish dropping to the home screen)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from pmwizard.tui.steps.base import MemberStep
from pmwizard.tui.text import visible_lines


class SummaryStep(MemberStep):
    title = "summary"
    short = "Summary"
    help = ("Every file written this run is listed with the backup of what it replaced (`pmwizard undo` puts "
            "the last write's backups back). Compare the fingerprint with the coordinator's by another channel.")

    def compose(self) -> ComposeResult:
        yield Static("", id="summary", markup=False)

    def entered(self) -> None:
        self.query_one("#summary", Static).update(visible_lines(self.text()))

    def text(self) -> str:
        s = self.state
        lines = [f"Node home  {self.home()}"]
        if s._written:
            lines.append(f"Files written this run ({len(s._written)}):")
            for w in s._written:
                lines.append(f"  {w.path}" + ("" if w.backup else "  (new)"))
                if w.backup:
                    lines.append(f"    previous kept as {w.backup.name}")
        else:
            lines.append("No file written this run.")
        lines.append(f"Member card  {s._card_saved or s.card_file or 'not saved: step 5'}")
        lines.append(f"Genesis SHA-256  {s._fingerprint or 'no genesis checked: step 6'}")
        lines += ["", "Next:",
                  "  send the card to the coordinator if not done; compare the fingerprint by phone",
                  "  `pmwizard doctor` checks this node again; Troubleshoot checks every member",
                  "  `pmwizard undo --yes` puts back what the last write replaced"]
        return "\n".join(lines)
