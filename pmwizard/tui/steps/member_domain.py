"""Member step 3: the public host name (validated as typed; an IP literal for LAN and test networks, as
the CLI takes), the P2P port, and live DNS checks with the zone lines to add."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from pmwizard.core.hostname import is_ip, validate_host
from pmwizard.tui.state import DEFAULT_P2P_PORT
from pmwizard.tui.steps.base import MemberStep
from pmwizard.tui.widgets.findings import FindingList


def port_problem(text: str) -> str | None:
    if not text.strip().isdigit() or not 1 <= int(text) <= 65535:
        return "P2P port: a number 1-65535 (26656 is Tendermint's)"
    return None


class DomainStep(MemberStep):
    title = "domain and DNS"
    short = "Domain"
    help = ("The A record must point at this machine's public IP; add AAAA only if the node answers on IPv6. "
            'Open a finding (Enter) for the zone-file line to add. Private and loopback addresses are '
            'flagged: peers elsewhere cannot reach them. On a LAN or test network give an IP address instead '
            'of a name (no DNS to check then). The P2P port is the one peers dial (26656 unless several nodes '
            'share a host).')
    DEFAULT_CSS = """
    DomainStep #p2p-port { width: 14; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Your node's public name (or an IP on a LAN), its public IP, and its P2P port:",
                     classes="hint")
        yield Input(compact=True, placeholder="node.example.org or an IP address", id="hostname")
        yield Input(compact=True, placeholder="public IPv4 (optional, to compare with the A record)", id="ip")
        yield Input(compact=True, placeholder="26656", id="p2p-port", type="integer")
        yield Static("", id="status", markup=False)
        with Horizontal():
            yield Button("Check DNS", compact=True, id="check", variant="primary")
        yield FindingList(id="dns-findings")

    def entered(self) -> None:
        host = self.query_one("#hostname", Input)
        if not host.value:
            host.value = self.state.hostname or (self.context.sample_hostname if self.context.demo else "")
        ip = self.query_one("#ip", Input)
        if not ip.value:
            ip.value = self.state.public_ip
        port = self.query_one("#p2p-port", Input)
        if not port.value:
            port.value = str(self.state.p2p_port or DEFAULT_P2P_PORT)

    @on(Input.Changed, "#hostname")
    def typed(self, event: Input.Changed) -> None:
        value = event.value.strip()
        problems = validate_host(value) if value else ["type the name clients will use"]
        if problems:
            self.say("; ".join(problems), "problem")
            return
        self.state.hostname = value.strip("[]") if is_ip(value) else value.rstrip(".").lower()
        self.say(f"{value}: an IP address (LAN / test network): no DNS to check" if is_ip(value)
                 else f"{value}: a well-formed name", "good")

    @on(Input.Changed, "#ip")
    def typed_ip(self, event: Input.Changed) -> None:
        self.state.public_ip = event.value.strip()

    @on(Input.Changed, "#p2p-port")
    def typed_port(self, event: Input.Changed) -> None:
        problem = port_problem(event.value)
        if problem:
            self.say(problem, "problem")
        else:
            self.state.p2p_port = int(event.value)
            self.say(f"P2P port {self.state.p2p_port}: peers dial {self.state.hostname or 'this host'}:"
                     f"{self.state.p2p_port}", "good")

    @on(Button.Pressed, "#check")
    @on(Input.Submitted)
    def check(self) -> None:
        problem = self.leave_problem()
        if problem:
            self.say(problem, "problem")
            return
        if is_ip(self.state.hostname):
            self.say(f"{self.state.hostname} is an IP address: nothing to look up in DNS", "good")
            return
        self.query_one("#dns-findings", FindingList).clear_findings()
        self.run_checks(self.state.hostname, self.state.public_ip)

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
        warned = [f for f in found if f.status.value == "warn"]
        if bad:
            self.say(f"{len(bad)} problem(s); expand a finding (Enter) for the zone line to add", "problem")
        elif warned:
            self.say(f"DNS for {hostname} answers, with {len(warned)} warning(s): open them", "hint")
        else:
            self.say(f"DNS for {hostname} looks right", "good")

    def leave_problem(self) -> str | None:
        host = self.query_one("#hostname", Input).value.strip()
        problems = validate_host(host) if host else ["type the node's public host name or IP address"]
        return "; ".join(problems) if problems else port_problem(self.query_one("#p2p-port", Input).value)
