"""The demo sandbox behind `pmwizard --demo`, the screenshots and the wizard's tests: a temporary home, three
made-up members with signed cards whose P2P ports answer Tendermint's handshake, and a DNS server and an
HTTPS server on loopback, so every journey can be
tried without touching the machine. No Textual here.

    with Sandbox() as sb:
        make_app(sb.context).run()
"""

from __future__ import annotations

import hashlib
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
# The demo's stand-ins for the programs a node runs: they print a version and start nothing, so the software
# step, the service files and the start step can be tried on a machine without them.
STANDINS = {"tendermint": "0.34.35", "planetmint": "planetmint 2.5.3", "tarantool": "Tarantool 2.11.1",
            "monit": "This is Monit version 5.33.0", "nginx": "nginx version: nginx/1.22.1"}
MEMBERS = [("Alice's Node Shop", f"alice.{ZONE}"), ("Bob Validators", f"bob.{ZONE}"),
           ("Carol Consortium", f"carol.{ZONE}")]
NEWCOMER = ("Dave's Data", f"dave.{ZONE}")


# A closed terminal sends SIGHUP, `kill` and systemd send SIGTERM: the sandbox goes away on those as on Ctrl+Q.
CLEANUP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def seeds_for(seed: str, who: str) -> tuple[bytes, bytes]:
    """Fixed key seeds (validator, node) for a seeded sandbox: the snapshot tests and the screenshots get
    the same keys, node IDs and cards on every run."""
    return (hashlib.sha256(f"{seed}/{who}/validator".encode()).digest(),
            hashlib.sha256(f"{seed}/{who}/node".encode()).digest())


class Sandbox:
    def __init__(self, root: Path | None = None, *, handle_signals: bool = False, seed: str | None = None,
                 p2p_base: int = 0) -> None:
        """`seed`: fixed keys for the members (and `own_seeds` for this node); `p2p_base`: the members' P2P
        ports are p2p_base, +1, +2 (+3 for the newcomer) instead of free ones. Both only for byte-reproducible
        screens. `handle_signals`: remove the sandbox on SIGTERM/SIGHUP too."""
        self._handle_signals = handle_signals
        self._previous: dict[int, object] = {}
        self.seed = seed
        self.p2p_base = p2p_base
        self._own_root = root is None
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="pmwizard-demo-"))
        self.cards_dir = self.root / "cards"
        self.dns: DemoDns | None = None
        self.https: DemoHttps | None = None
        self.peers: DemoPeers | None = None
        self.network: DemoNetwork | None = None
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
            keys.init_plan(home, seeds=seeds_for(self.seed, f"m{i}") if self.seed else None).apply()
            nodes.append(DemoNode(home, name, port=self.p2p_base + i if self.p2p_base else 0))
        newcomer = self.root / "members" / "dave"  # the member the validator-set journey adds
        keys.init_plan(newcomer, seeds=seeds_for(self.seed, "dave") if self.seed else None).apply()
        nodes.append(DemoNode(newcomer, NEWCOMER[0], port=self.p2p_base + len(MEMBERS) if self.p2p_base else 0))
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
        programs = self._standins()
        ca, chain, key = make_pki(self.root / "tls", [OWN, f"node1.consortium.{ZONE}"])
        self.dns = DemoDns(ZONE, {OWN: "127.0.0.1", **{h: "127.0.0.1" for _, h in [*MEMBERS, NEWCOMER]}}).start()
        self.https = DemoHttps(chain, key).start()
        self.context = WizardContext(
            home=self.root / "home", state_dir=self.root / "state", nameservers=[f"127.0.0.1:{self.dns.port}"],
            ca_file=str(ca), timeout=2.0, demo=True, tls_port=self.https.port,
            services_folder=self.root / "planetmint-monit", planetmint_config=self.root / "planetmint.json",
            nginx_site=self.root / "nginx-planetmint.conf", sample_hostname=OWN,
            demo_cards=sorted(self.cards_dir.glob("*.json")), demo_chain_id=DEMO_CHAIN, demo_programs=programs,
            fixed_time="2026-11-23T08:00:00Z" if self.seed else None)
        self.context.demo_network = self.network
        self.context.demo_newcomer_card = self.newcomer_card
        self.context.demo_key_file = self.root / "members" / "m0" / "config" / "priv_validator_key.json"
        return self

    def _on_signal(self, signum: int, frame: object) -> None:
        """Remove the sandbox at once (the servers are threads of this process and go with it), then leave
        the way the signal asks: SystemExit unwinds the wizard so the terminal is restored."""
        self.__exit__()
        raise SystemExit(128 + signum)

    def own_seeds(self) -> tuple[bytes, bytes] | None:
        """The seeds for this node's own keys in a seeded sandbox (None: random, as for an operator)."""
        return seeds_for(self.seed, "own") if self.seed else None

    def _standins(self) -> dict[str, str]:
        """Shell stand-ins in a venv-shaped folder (with a Planetmint init.lua where the Tarantool instance
        file looks for it): `--version` prints the version, anything else says it is the demo."""
        venv = self.root / "venv"
        lua = venv / "lib" / "python3.11" / "site-packages" / "planetmint" / "backend" / "tarantool" / "opt"
        lua.mkdir(parents=True, exist_ok=True)
        (lua / "init.lua").write_text("-- demo stand-in for Planetmint's init.lua\nfunction init() end\n")
        (venv / "bin").mkdir(exist_ok=True)
        out = {}
        for name, version in STANDINS.items():
            path = venv / "bin" / name
            path.write_text(f"#!/bin/sh\ncase \"$1\" in version|--version|-V|-v) echo '{version}' ;;\n"
                            f"*) echo \"{name} $*\" >> {venv / 'calls.log'}\n"
                            f"   echo 'pmwizard demo: {name} is a stand-in; nothing was started' ;; esac\n")
            path.chmod(0o755)
            out[name] = str(path)
        return out

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
