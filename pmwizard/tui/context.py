"""What every screen of the wizard shares: where the node lives, how live checks run, and saved progress.

Progress (hostnames, file paths, which step) is saved as JSON under the XDG state folder so a journey
resumes after quit. It never holds key material: only values the operator typed or chose.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmwizard.core.paths import choose_home, state_dir
from pmwizard.errors import InputError

SAFE_KEYS = {"step", "hostname", "public_ip", "name", "p2p_port", "card_file", "genesis_file", "cards_path",
             "moniker", "ca", "cert_file", "key_file", "chain_id", "consortium_domain", "output_dir", "target",
             "home", "network_rpc", "planetmint_bin", "tendermint_bin", "tarantool_bin", "monit_bin", "genesis_time"}


@dataclass
class WizardContext:
    home: Path
    state_dir: Path
    nameservers: list[str] = field(default_factory=list)
    ca_file: str | None = None
    timeout: float = 5.0
    demo: bool = False
    tls_port: int = 443
    services_folder: Path | None = None
    planetmint_config: Path | None = None
    nginx_site: Path | None = None
    sample_hostname: str = "node.example.org"
    demo_cards: list[Path] = field(default_factory=list)
    demo_chain_id: str = ""  # the chain the demo members' nodes announce
    acme_options: dict[str, Any] = field(default_factory=dict)  # cert issue's settings (a test CA, ports)
    demo_network: Any = None  # the demo's made-up running network (validator-set journey)
    demo_newcomer_card: Path | None = None
    demo_key_file: Path | None = None
    demo_programs: dict[str, str] = field(default_factory=dict)  # the demo's stand-ins: key -> path
    fixed_time: str | None = None  # a seeded demo's clock for the card's `created` (reproducible screens)
    home_reason: str = ""  # why this home: "--home", "$CMTHOME", "~/.cometbft (it exists)", ...
    home_given: bool = False  # --home on the command line: the journey does not replace it with a saved one
    # the ports the service files use (--monit-port, --tarantool-port, --api-port, --ws-port): a second node
    # or a test on one machine takes free ones instead of the defaults another node already listens on
    service_ports: dict[str, int] = field(default_factory=dict)

    @classmethod
    def for_home(cls, home: str | os.PathLike[str] | None = None, **settings: Any) -> WizardContext:
        """The home as CometBFT would pick it; when both ~/.cometbft and ~/.tendermint exist the wizard
        opens anyway and the node-home step asks which one."""
        try:
            chosen = choose_home(home)
            path, reason = chosen.path, chosen.reason
        except InputError as exc:
            path, reason = Path.home() / ".cometbft", f"choose on screen: {exc.message}"
        return cls(home=path, state_dir=state_dir(), home_reason=reason, home_given=bool(home), **settings)

    def _progress_file(self, journey: str) -> Path:
        return self.state_dir / "progress" / f"{journey}.json"

    def save_progress(self, journey: str, data: dict[str, Any]) -> None:
        """Keep only the known, non-secret fields; written 0600 atomically."""
        clean = {k: v for k, v in data.items() if k in SAFE_KEYS and isinstance(v, str | int | float | bool)}
        path = self._progress_file(journey)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(clean, indent=2))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)

    def load_progress(self, journey: str) -> dict[str, Any]:
        try:
            data = json.loads(self._progress_file(journey).read_text())
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in data.items() if k in SAFE_KEYS} if isinstance(data, dict) else {}
