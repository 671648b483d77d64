"""The files of one Planetmint node, as pmwizard renders them, for a machine other than this one.

`pmwizard configure` and `pmwizard services` write these files into this machine's paths; the Ansible and
Kubernetes exports deliver the same bytes elsewhere. So this module only chooses the paths and ports of the
target machine and calls the same renderers (core.tmconfig.configure_plan, render.monit, render.tarantool,
render.nginx, render.planetmint_config); it never formats a config file itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pmwizard.core.cards import MemberCard
from pmwizard.core.keys import NODE_KEY, VALIDATOR_KEY, VALIDATOR_STATE
from pmwizard.core.tmconfig import configure_plan
from pmwizard.errors import InputError
from pmwizard.render import monit, nginx, planetmint_config, tarantool

KEY_FILES = (VALIDATOR_KEY, NODE_KEY)  # private: copied from the home, never rendered, never exported
STATE_FILES = (VALIDATOR_STATE,)  # the validator's last signed height: created once, never replaced


@dataclass(frozen=True)
class NodeLayout:
    """Where things live on the target machine (absolute paths there) and the ports the node uses."""

    hostname: str
    node_home: Path
    services_folder: Path = monit.DEFAULT_DIR
    planetmint_config: Path = planetmint_config.DEFAULT_PATH
    nginx_site: Path = nginx.DEFAULT_SITE
    planetmint_venv: Path = Path("/opt/planetmint")
    tendermint_path: Path = Path("/usr/local/bin/tendermint")
    cert: Path | None = None
    key: Path | None = None
    names: tuple[str, ...] = ()
    tarantool_port: int = tarantool.PLANETMINT_TARANTOOL_PORT
    api_port: int = 9984
    ws_port: int = 9985
    rpc_port: int = 26657
    monit_http_port: int = 2812
    tarantool_background: bool = True  # False in a container, where Tarantool must stay in the foreground

    @property
    def planetmint_bin(self) -> Path:
        return self.planetmint_venv / "bin" / "planetmint"

    @property
    def init_lua(self) -> Path:
        """Planetmint's init.lua, delivered beside the Tarantool instance that runs it (the venv's Python
        version, and so its site-packages path, is not known here)."""
        return self.services_folder / "planetmint-init.lua"


@dataclass(frozen=True)
class NodeFile:
    """One file to deliver: a short name for the export folder, its path on the target, its bytes, its mode,
    and the services that must restart when it changes."""

    name: str
    target: Path
    data: bytes
    mode: int = 0o644
    restarts: tuple[str, ...] = ()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class NodeFiles:
    """Everything rendered for one node: the files, and what the rendering said about them."""

    files: tuple[NodeFile, ...]
    notes: tuple[str, ...] = field(default=())
    p2p_port: int = 26656
    chain_id: str = ""

    def by_name(self, name: str) -> NodeFile:
        return next(f for f in self.files if f.name == name)


def _absolute(path: Path, field_name: str) -> Path:
    p = Path(path)
    if not p.is_absolute():
        raise InputError("<command line>", field_name, f"{p}: give an absolute path on the target machine")
    return p


def render_node_files(
    home: Path,
    genesis: Path,
    layout: NodeLayout,
    *,
    moniker: str | None = None,
    peers: Sequence[MemberCard] = (),
    init_lua_source: Path,
    log_level: str | None = None,
) -> NodeFiles:
    """The node's files for `layout`, rendered from the node home `home` (its keys and config.toml) and the
    network's `genesis`, exactly as `configure` and `services` render them. Raises InputError on bad input."""
    from pmwizard.core.genesis import read_genesis
    from pmwizard.core.keys import load_identity

    for name in ("node_home", "services_folder", "planetmint_config", "nginx_site", "planetmint_venv",
                 "tendermint_path"):
        _absolute(getattr(layout, name), "--" + name.replace("_", "-"))
    tm = configure_plan(home, genesis, moniker=moniker, peers=peers,
                        rpc_laddr=f"tcp://127.0.0.1:{int(layout.rpc_port)}", log_level=log_level)
    own = [c for c in peers if c.node_id == load_identity(home).node_id]
    notes = [n for c in tm.changes for n in c.notes]
    by_tail = {c.path.name: c.new for c in tm.changes}
    folder = layout.services_folder
    msetup = monit.MonitSetup(folder=folder, planetmint_bin=str(layout.planetmint_bin),
                              tendermint_bin=str(layout.tendermint_path), tendermint_home=layout.node_home,
                              http_port=layout.monit_http_port)
    tsetup = tarantool.TarantoolSetup(folder=folder, init_lua=layout.init_lua, port=layout.tarantool_port,
                                     background=layout.tarantool_background)
    default_cert, default_key = nginx.default_cert_paths(nginx.checked_hostname(layout.hostname))
    site = nginx.NginxSite(hostname=layout.hostname, names=layout.names, cert=layout.cert or default_cert,
                           key=layout.key or default_key, api_upstream=f"127.0.0.1:{int(layout.api_port)}",
                           ws_upstream=f"127.0.0.1:{int(layout.ws_port)}")
    settings = planetmint_config.PlanetmintSettings(
        hostname=layout.hostname, tarantool_port=layout.tarantool_port, api_port=layout.api_port,
        ws_port=layout.ws_port, tendermint_rpc_port=layout.rpc_port)
    try:
        init_lua = Path(init_lua_source).read_bytes()
    except OSError as exc:
        raise InputError(str(init_lua_source), "--init-lua", f"cannot read: {exc.strerror}") from None
    files = (
        NodeFile("genesis.json", layout.node_home / "config" / "genesis.json", by_tail["genesis.json"],
                 restarts=("tendermint",)),
        NodeFile("config.toml", layout.node_home / "config" / "config.toml", by_tail["config.toml"],
                 restarts=("tendermint",)),
        NodeFile("planetmint-init.lua", tsetup.init_lua, init_lua, restarts=("tarantool",)),
        NodeFile("tarantool-instance.lua", tsetup.instance, tarantool.instance_text(tsetup).encode(),
                 restarts=("tarantool",)),
        NodeFile("planetmint.json", layout.planetmint_config,
                 planetmint_config.config_text(layout.planetmint_config, settings).encode(), mode=0o600,
                 restarts=("planetmint",)),
        NodeFile("monitrc", msetup.monitrc, monit.monitrc_text(msetup).encode(), mode=0o700,
                 restarts=("monit",)),
        NodeFile("monit_script", msetup.script, monit.script_text(msetup).encode(), mode=0o700,
                 restarts=("monit",)),
        NodeFile("nginx-site.conf", layout.nginx_site, nginx.site_text(site).encode(), restarts=("nginx",)),
    )
    return NodeFiles(files=files, notes=tuple(notes), p2p_port=own[0].p2p_port if own else 26656,
                     chain_id=read_genesis(Path(genesis)).chain_id or "")
