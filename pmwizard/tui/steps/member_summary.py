"""Member step 10: the closing summary: the files written this run with their backups, the card sent, the
genesis fingerprint, and what comes next (instead of Finish dropping to the home screen)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Static

from pmwizard.core.shown import visible_lines
from pmwizard.tui.steps.base import MemberStep


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
        lines.append(f"Genesis SHA-256  {s._fingerprint or self.genesis_fingerprint()}")
        lines += ["", "Next:",
                  "  send the card; compare the fingerprint with the coordinator's",
                  "  `pmwizard doctor`: this node again; Troubleshoot: every member",
                  "  `pmwizard undo --yes`: put back what the last write replaced"]
        return "\n".join(lines)

    def genesis_fingerprint(self) -> str:
        """The SHA-256 of the genesis the join step was given (the file's bytes, as Tendermint hashes it)."""
        from pmwizard.core.genesis import fingerprint

        if not self.state.genesis_file:
            return "no genesis given: step 6"
        try:
            return fingerprint(Path(self.state.genesis_file).expanduser().read_bytes())
        except OSError as exc:
            return f"cannot read {self.state.genesis_file}: {exc.strerror}"
