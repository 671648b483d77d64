"""Member step 7: configure: genesis.json, config.toml and the service files, each as a diff to accept or
skip; nothing is written before "Write". The service files use the program paths of the software step."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Input, Static

from pmwizard.core.plan import Plan
from pmwizard.core.shown import visible_lines
from pmwizard.errors import PmwizardError
from pmwizard.tui.state import MemberState
from pmwizard.tui.steps.base import MemberStep


def member_plan(state: MemberState, home: Path, services: bool, *, services_folder: Path | None = None,
                planetmint_config: Path | None = None, nginx_site: Path | None = None,
                nameservers: Sequence[object] = (), timeout: float = 5.0,
                ports: Mapping[str, int] | None = None) -> Plan:
    """The files the configure step previews: the node's (genesis.json, config.toml) and, when asked, the
    service files (Monit supervising Tarantool, Planetmint and Tendermint; Tarantool; NGINX; Planetmint's
    config) with the program paths the operator gave. `ports`: monit, tarantool, api, ws (render/plans.py
    defaults for the missing ones); Planetmint's config names the RPC port of the home's config.toml."""
    from pmwizard.checks.peer_lookup import address_resolver
    from pmwizard.core.cards import read_cards
    from pmwizard.core.tmconfig import configure_plan

    cards = []
    if state.cards_path:
        cards = [c.card for c in read_cards(Path(state.cards_path).expanduser()) if c.valid and c.card]
    # peers whose names resolve to this machine or share one address need the LAN settings (core.peers)
    plan = configure_plan(home, Path(state.genesis_file).expanduser(), moniker=state.moniker or None, peers=cards,
                          resolve=address_resolver(nameservers, timeout))
    if services:
        from pmwizard.checks.nodeup import rpc_url_of
        from pmwizard.core.hostname import is_ip
        from pmwizard.render.plans import KINDS, services_plan

        given = dict(ports or {})
        # an IP (LAN and test networks, accepted by the domain step) has no name to serve HTTPS for: no NGINX site
        kinds = tuple(k for k in KINDS if k != "nginx") if is_ip(state.hostname or "") else KINDS
        rpc_port = rpc_url_of(home).rpartition(":")[2]
        plan.extend(services_plan(home, state.hostname or None, kinds=kinds, folder=services_folder,
                                  rpc_port=int(rpc_port) if rpc_port.isdigit() else 26657,
                                  monit_http_port=given.get("monit", 2812),
                                  tarantool_port=given.get("tarantool", 3303), api_port=given.get("api", 9984),
                                  ws_port=given.get("ws", 9985),
                                  planetmint_config_path=planetmint_config, nginx_site=nginx_site,
                                  planetmint_bin=state.planetmint_bin or None,
                                  tendermint_bin=state.tendermint_bin or None,
                                  tarantool_bin=state.tarantool_bin or None))
    return plan


class ConfigureStep(MemberStep):
    title = "configure the node"
    short = "Configure"
    help = ("persistent_peers gets every card's node but this one. Peers on loopback or private addresses "
            'also set addr_book_strict = false and allow_duplicate_ip = true (nodes on one host or LAN). Each '
            'file is a diff: untick one to skip it; replaced files are kept as .bak and `pmwizard undo` puts '
            'them back. The service files hold the absolute program paths of the software step.')

    def compose(self) -> ComposeResult:
        yield Static("Moniker (the node's name in Tendermint, printable ASCII):", classes="hint")
        yield Input(compact=True, placeholder="moniker", id="moniker")
        yield Checkbox("also the service files: Monit, Tarantool, NGINX, Planetmint config", id="services",
                       value=True)
        yield Static("", id="programs", markup=False)
        yield Static("", id="status", markup=False)
        with Horizontal():
            yield Button("Preview the changes", compact=True, id="preview", variant="primary")

    def entered(self) -> None:
        box = self.query_one("#moniker", Input)
        if not box.value:
            box.value = self.state.moniker or self.state.name or ""
        s = self.state
        self.query_one("#programs", Static).update(visible_lines(
            f"programs (software step): planetmint {s.planetmint_bin or '(on PATH)'}\n"
            f"  tendermint {s.tendermint_bin or '(on PATH)'}\n  tarantool {s.tarantool_bin or '(on PATH)'}"))

    @on(Input.Changed, "#moniker")
    def moniker(self, event: Input.Changed) -> None:
        self.state.moniker = event.value

    @on(Button.Pressed, "#preview")
    @on(Input.Submitted, "#moniker")
    @work(exclusive=True, group="configure", exit_on_error=False)
    async def preview_changes(self) -> None:
        services = self.query_one("#services", Checkbox).value
        try:
            plan = await asyncio.to_thread(member_plan, self.state, self.home(), services,
                                           services_folder=self.context.services_folder,
                                           nameservers=self.context.nameservers, timeout=self.context.timeout,
                                           planetmint_config=self.context.planetmint_config,
                                           nginx_site=self.context.nginx_site,
                                           ports=self.context.service_ports)
        except PmwizardError as exc:
            self.say(visible_lines(str(exc)) + "  (the program paths are in step 2, Software)", "problem")
            return
        written = await self.preview(plan, "Configure this node")
        self.say(f"wrote {len(written)} file(s)" if written else "nothing written", "good" if written else "hint")
