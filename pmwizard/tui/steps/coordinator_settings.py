"""Coordinator step 3: network settings: chain_id, genesis time, and the optional consortium domain with its
CNAME plan (nodeN.<domain> -> each member's host) and round-robin name, checked live."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from pmwizard.core.genesis import now_rfc3339, random_chain_id
from pmwizard.core.hostname import validate_hostname
from pmwizard.tui.steps.base import Step
from pmwizard.tui.widgets.findings import FindingList


def cname_plan(domain: str, hosts: list[str]) -> list[str]:
    lines = [f"node{i}.{domain}. 3600 IN CNAME {h.rstrip('.')}." for i, h in enumerate(hosts, 1)]
    lines.append(f"; round-robin name: one A record per member at {domain}.")
    return lines


class SettingsStep(Step):
    title = "network settings"
    short = "Settings"
    help = ('chain_id: at most 50 bytes, printable ASCII. The genesis time is written explicitly (a zero time '
            'lets every node pick its own and block 1 never comes). A consortium domain gives member i the '
            'CNAME nodeI.<domain> and a round-robin name.')

    def compose(self) -> ComposeResult:
        yield Static("chain_id, genesis time (UTC), and an optional consortium domain:", classes="hint")
        yield Input(compact=True, placeholder="chain_id", id="chain")
        yield Input(compact=True, placeholder="genesis time, RFC 3339 UTC", id="time")
        yield Input(compact=True, placeholder="consortium domain (optional), e.g. consortium.example", id="domain")
        yield Static("", id="status", markup=False)
        yield Static("", id="plan", markup=False)
        with Horizontal():
            yield Button("Check CNAMEs live", compact=True, id="check")
        yield FindingList(id="cname-findings")

    def entered(self) -> None:
        chain = self.query_one("#chain", Input)
        if not chain.value:
            chain.value = self.state.chain_id or self.context.demo_chain_id or random_chain_id()
        when = self.query_one("#time", Input)
        if not when.value:
            when.value = self.state.genesis_time or now_rfc3339()
        self.query_one("#domain", Input).value = self.query_one("#domain", Input).value or \
            self.state.consortium_domain
        self.show_plan()

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        key = {"chain": "chain_id", "time": "genesis_time", "domain": "consortium_domain"}[event.input.id or ""]
        setattr(self.state, key, event.value.strip())
        if event.input.id == "domain":
            self.show_plan()

    def hosts(self) -> list[str]:
        return [c.hostname for c in self.journey.members()]  # type: ignore[attr-defined]

    def show_plan(self) -> None:
        domain = self.state.consortium_domain
        plan = self.query_one("#plan", Static)
        if not domain:
            plan.update("no consortium domain: members are reached by their own names")
            return
        problems = validate_hostname(domain)
        plan.update("; ".join(problems) if problems else "zone-file lines for the consortium domain:\n"
                    + "\n".join(cname_plan(domain, self.hosts())))

    @on(Button.Pressed, "#check")
    @on(Input.Submitted, "#domain")
    def check(self) -> None:
        domain = self.state.consortium_domain
        if not domain or validate_hostname(domain):
            self.say("type a valid consortium domain first", "problem")
            return
        self.query_one("#cname-findings", FindingList).clear_findings()
        self.run_checks(domain, self.hosts())

    @work(exclusive=True, group="cname", exit_on_error=False)
    async def run_checks(self, domain: str, hosts: list[str]) -> None:
        import asyncio

        from pmwizard.checks.dnscheck import check_dns

        listing = self.query_one("#cname-findings", FindingList)
        results = await asyncio.gather(*(check_dns(f"node{i}.{domain}", cname_target=h,
                                                   nameservers=self.context.nameservers, timeout=self.context.timeout)
                                         for i, h in enumerate(hosts, 1)))
        for found in results:
            for f in found:
                if f.check == "dns.cname":
                    listing.add_finding(f)
        listing.flush()

    def leave_problem(self) -> str | None:
        from pmwizard.core.tmjson import GenesisError, parse_time

        chain = self.query_one("#chain", Input).value
        if not 0 < len(chain.encode()) <= 50 or any(not 32 < ord(c) < 127 for c in chain):
            return "chain_id: 1 to 50 printable ASCII characters, no spaces"
        try:
            parse_time(self.query_one("#time", Input).value, "genesis_time")
        except GenesisError as exc:
            return str(exc)
        self.state.chain_id, self.state.genesis_time = chain, self.query_one("#time", Input).value
        return None
