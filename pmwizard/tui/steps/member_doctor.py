"""Member step 9: the final check: the doctor on this node (P2P handshake and RPC compared with this home's
node key and installed genesis, API, Tarantool, DNS and TLS of its name), findings streaming in as they
finish."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from pmwizard.tui.steps.base import MemberStep
from pmwizard.tui.widgets.catchup import CatchUp
from pmwizard.tui.widgets.findings import FindingList


class FinalCheckStep(MemberStep):
    title = "final check"
    short = "Final check"
    help = ('Run it once Tarantool, Planetmint and Tendermint are started: the P2P handshake must prove this '
            "home's node key and the installed genesis's chain; RPC is read on 127.0.0.1:26657.")

    def compose(self) -> ComposeResult:
        yield Static("", id="status", markup=False)
        with Horizontal():
            yield Button("Run the doctor on this node", compact=True, id="run", variant="primary")
        yield FindingList(id="doctor-findings")
        yield CatchUp(id="catchup")  # a node joining a running network: its height vs the network's

    def entered(self) -> None:
        self.say("Once the node is started (previous step), run the doctor on it.")
        self.query_one(CatchUp).network_from(self.state.network_rpc)

    @on(Button.Pressed, "#run")
    def run(self) -> None:
        self.query_one("#doctor-findings", FindingList).clear_findings()
        self.run_doctor()

    @work(exclusive=True, group="doctor", exit_on_error=False)
    async def run_doctor(self) -> None:
        from pmwizard.checks.doctor import DoctorTarget, run_doctor
        from pmwizard.checks.nodeup import rpc_url_of

        host = self.state.hostname or None
        node_id, chain_id = self.this_node()
        target = DoctorTarget(name=host or "this node", hostname=host, local=True, tls_port=self.context.tls_port,
                              rpc_url=rpc_url_of(self.home()), node_id=node_id,
                              p2p_port=self.state.p2p_port, home=self.home())
        listing = self.query_one("#doctor-findings", FindingList)
        self.say("checking ...")
        found = await run_doctor([target], chain_id=chain_id, nameservers=self.context.nameservers,
                                 ca_file=self.context.ca_file, timeout=self.context.timeout,
                                 on_finding=listing.add_finding)
        listing.flush()
        bad = sum(f.status.value in ("fail", "error") for f in found)
        warned = sum(f.status.value == "warn" for f in found)
        if bad:
            self.say(f"{bad} problem(s); expand a finding for its fix", "problem")
        elif warned:
            self.say(f"no failure, {warned} warning(s): open them", "hint")
        else:
            self.say("everything checked is fine", "good")

    def this_node(self) -> tuple[str | None, str | None]:
        """The node ID of this home's key and the chain of its installed genesis (None where missing)."""
        from pmwizard.checks.doctor import this_node

        node_id, chain_id, _ = this_node(self.home())
        return node_id, chain_id
