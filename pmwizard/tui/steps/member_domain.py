"""Member step 2: the public host name (validated as typed) and live DNS checks with the zone lines to add."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from pmwizard.core.hostname import validate_hostname
from pmwizard.tui.steps.base import Step
from pmwizard.tui.widgets.findings import FindingList


class DomainStep(Step):
    title = "domain and DNS"
    help = ("The A record must point at this machine's public IP; add AAAA only if the node answers on IPv6. "
            'Open a finding (Enter) for the zone-file line to add. Private and loopback addresses are '
            'flagged: peers elsewhere cannot reach them.')

    def compose(self) -> ComposeResult:
        yield Static("Your node's public name (A record pointing at this machine) and its public IP:",
                     classes="hint")
        yield Input(compact=True, placeholder="node.example.org", id="hostname")
        yield Input(compact=True, placeholder="public IPv4 (optional, to compare with the A record)", id="ip")
        yield Static("", id="status", markup=False)
        with Horizontal():
            yield Button("Check DNS", compact=True, id="check", variant="primary")
        yield FindingList(id="dns-findings")

    def entered(self) -> None:
        host = self.query_one("#hostname", Input)
        if not host.value:
            host.value = self.data.get("hostname", "") or (self.context.sample_hostname if self.context.demo else "")
        ip = self.query_one("#ip", Input)
        if not ip.value:
            ip.value = self.data.get("public_ip", "")

    @on(Input.Changed, "#hostname")
    def typed(self, event: Input.Changed) -> None:
        problems = validate_hostname(event.value) if event.value else ["type the name clients will use"]
        self.say("; ".join(problems) if problems else f"{event.value}: a well-formed name",
                 "problem" if problems else "good")
        if not problems:
            self.data["hostname"] = event.value.strip().rstrip(".").lower()

    @on(Input.Changed, "#ip")
    def typed_ip(self, event: Input.Changed) -> None:
        self.data["public_ip"] = event.value.strip()

    @on(Button.Pressed, "#check")
    @on(Input.Submitted)
    def check(self) -> None:
        if self.leave_problem():
            self.say(self.leave_problem() or "", "problem")
            return
        self.query_one("#dns-findings", FindingList).clear_findings()
        self.run_checks(self.data["hostname"], self.data.get("public_ip") or "")

    @work(exclusive=True, group="dns", exit_on_error=False)
    async def run_checks(self, hostname: str, ip: str) -> None:
        from pmwizard.checks.dnscheck import check_dns

        self.say(f"checking {hostname} ...")
        found = await check_dns(hostname, expect_ips=[ip] if ip else [], nameservers=self.context.nameservers,
                                timeout=self.context.timeout)
        listing = self.query_one("#dns-findings", FindingList)
        for f in found:
            listing.add_finding(f)
        listing.flush()
        bad = [f for f in found if f.status.value in ("fail", "error")]
        self.say(f"{len(bad)} problem(s); expand a finding (Enter) for the zone line to add" if bad
                 else f"DNS for {hostname} looks right", "problem" if bad else "good")

    def leave_problem(self) -> str | None:
        host = self.query_one("#hostname", Input).value
        problems = validate_hostname(host) if host else ["type the node's public host name"]
        return "; ".join(problems) if problems else None
