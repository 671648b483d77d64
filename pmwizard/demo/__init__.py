"""The demo sandbox behind `pmwizard --demo`, the screenshots and the wizard's tests: a temporary home, three
made-up members with signed cards whose P2P ports answer Tendermint's handshake, and a DNS server and an
HTTPS server on loopback, so every journey can be
tried without touching the machine. No Textual here.

    with Sandbox() as sb:
        make_app(sb.context).run()
"""

from __future__ import annotations

import json
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import Self

from pmwizard.core import cards, keys
from pmwizard.core.genesis import new_genesis
from pmwizard.demo.dns import DemoDns
from pmwizard.demo.network import DemoNetwork
from pmwizard.demo.p2p import DEMO_CHAIN, DemoNode, DemoPeers
from pmwizard.demo.tls import DemoHttps, make_pki

ZONE = "demo.test"
OWN = f"node.{ZONE}"
MEMBERS = [("Alice's Node Shop", f"alice.{ZONE}"), ("Bob Validators", f"bob.{ZONE}"),
           ("Carol Consortium", f"carol.{ZONE}")]
NEWCOMER = ("Dave's Data", f"dave.{ZONE}")


# A closed terminal sends SIGHUP, `kill` and systemd send SIGTERM: the sandbox goes away on those as on Ctrl+Q.
CLEANUP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Sandbox:
    def __init__(self, root: Path | None = None, *, handle_signals: bool = False) -> None:
        self._handle_signals = handle_signals
        self._previous: dict[int, object] = {}
        self._own_root = root is None
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="pmwizard-demo-"))
        self.cards_dir = self.root / "cards"
        self.dns: DemoDns | None = None
        self.https: DemoHttps | None = None
        self.peers: DemoPeers | None = None
        self.chain_id = DEMO_CHAIN

    def __enter__(self) -> Self:
        from pmwizard.tui.context import WizardContext

        if self._handle_signals and threading.current_thread() is threading.main_thread():
            for sig in CLEANUP_SIGNALS:
                self._previous[sig] = signal.signal(sig, self._on_signal)
        self.cards_dir.mkdir(parents=True, exist_ok=True)
        nodes = []
        for i, (name, _) in enumerate(MEMBERS):
            home = self.root / "members" / f"m{i}"
            keys.init_plan(home).apply()
            nodes.append(DemoNode(home, name))
        newcomer = self.root / "members" / "dave"  # the member the validator-set journey adds
        keys.init_plan(newcomer).apply()
        nodes.append(DemoNode(newcomer, NEWCOMER[0]))
        self.peers = DemoPeers(nodes).start()
        card = cards.export_card(newcomer, NEWCOMER[1], name=NEWCOMER[0], p2p_port=nodes[-1].port,
                                 created="2026-11-23T08:00:00Z")
        self.newcomer_card = self.root / "new-member" / f"{NEWCOMER[1]}.json"
        self.newcomer_card.parent.mkdir(parents=True, exist_ok=True)
        self.newcomer_card.write_text(cards.card_text(card))
        for node, (name, host) in zip(nodes[:-1], MEMBERS, strict=True):
            card = cards.export_card(node.home, host, name=name, p2p_port=node.port, created="2026-11-23T08:00:00Z")
            (self.cards_dir / f"{host}.json").write_text(cards.card_text(card))
        founders = [(keys.load_identity(n.home).pub_key, keys.load_identity(n.home).node_id) for n in nodes[:-1]]
        launched = new_genesis([c.card for c in cards.read_cards(self.cards_dir) if c.card], chain_id=DEMO_CHAIN,
                               genesis_time="2026-11-23T08:00:00Z")
        self.network = DemoNetwork(DEMO_CHAIN, founders, self.root / "demo-network",
                                   genesis=json.loads(launched)).start()
        ca, chain, key = make_pki(self.root / "tls", [OWN, f"node1.consortium.{ZONE}"])
        self.dns = DemoDns(ZONE, {OWN: "127.0.0.1", **{h: "127.0.0.1" for _, h in [*MEMBERS, NEWCOMER]}}).start()
        self.https = DemoHttps(chain, key).start()
        self.context = WizardContext(
            home=self.root / "home", state_dir=self.root / "state", nameservers=[f"127.0.0.1:{self.dns.port}"],
            ca_file=str(ca), timeout=2.0, demo=True, tls_port=self.https.port,
            services_folder=self.root / "planetmint-monit", planetmint_config=self.root / "planetmint.json",
            nginx_site=self.root / "nginx-planetmint.conf", sample_hostname=OWN,
            demo_cards=sorted(self.cards_dir.glob("*.json")), demo_chain_id=DEMO_CHAIN)
        self.context.demo_network = self.network
        self.context.demo_newcomer_card = self.newcomer_card
        self.context.demo_key_file = self.root / "members" / "m0" / "config" / "priv_validator_key.json"
        return self

    def _on_signal(self, signum: int, frame: object) -> None:
        """Remove the sandbox at once (the servers are threads of this process and go with it), then leave
        the way the signal asks: SystemExit unwinds the wizard so the terminal is restored."""
        self.__exit__()
        raise SystemExit(128 + signum)

    def __exit__(self, *exc: object) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)  # type: ignore[arg-type]
        self._previous = {}
        # idempotent: a signal's cleanup runs first, then the `with` block's
        network, peers, https, dns = getattr(self, "network", None), self.peers, self.https, self.dns
        self.network, self.peers, self.https, self.dns = None, None, None, None
        for server in (network, peers, https, dns):
            if server:
                server.stop()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)
