"""Tendermint's config.toml, edited the way a careful operator would: only the keys pmwizard manages change,
every comment and every other byte stays (tomlkit round trip); a missing file gets a minimal valid one.

`configure_plan` is the whole "join" write: the genesis installed into the home, and config.toml set for
this network (moniker, log level, peers, rates, empty blocks, recheck, own P2P port, RPC address).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from pmwizard.core.cards import MemberCard
from pmwizard.core.keys import load_identity
from pmwizard.core.peers import PeerAddress, lan_reason, peers_line
from pmwizard.core.plan import Plan
from pmwizard.errors import InputError

RATE = 102400000  # bytes/s; what the Planetmint docs set for send_rate and recv_rate
LOG_LEVELS = ("debug", "info", "error", "none")
MAX_CONFIG = 1024 * 1024

MINIMAL_CONFIG = """\
# config.toml written by pmwizard: only the settings it manages.
# Tendermint uses its defaults for everything else (`tendermint init` writes the full, commented file).

proxy_app = "tcp://127.0.0.1:26658"
moniker = "anonymous"
log_level = "info"

[rpc]
laddr = "tcp://127.0.0.1:26657"

[p2p]
laddr = "tcp://0.0.0.0:26656"
persistent_peers = ""

[mempool]

[consensus]
"""


def validate_moniker(moniker: str, source: str = "--moniker") -> str:
    """Tendermint's rule (NodeInfo.Validate): printable ASCII (no tabs, no newlines); pmwizard also refuses blank."""
    if not moniker or not moniker.strip():
        raise InputError(source, "moniker", "is blank; peers show this name in their logs")
    bad = [ch for ch in moniker if not 32 <= ord(ch) <= 126]
    if bad:
        raise InputError(source, "moniker", f"contains {bad[0]!r}; Tendermint accepts only printable ASCII "
                                            "(letters, digits, spaces, punctuation)")
    if len(moniker) > 256:
        raise InputError(source, "moniker", f"is {len(moniker)} characters; keep it under 256")
    return moniker


def validate_log_level(level: str, source: str = "--log-level") -> str:
    """Tendermint 0.34's ParseLogLevel: `info`, or `module:level` pairs separated by commas (`*` = default)."""
    if not level:
        raise InputError(source, "log_level", "is empty")
    text = level if ":" in level else f"*:{level}"
    for item in text.split(","):
        parts = item.split(":")
        if len(parts) != 2 or not parts[0]:
            raise InputError(source, "log_level", f'expected "module:level" pairs, given pair {item!r} in {level!r}')
        if parts[1] not in LOG_LEVELS:
            raise InputError(source, "log_level", f'expected either "info", "debug", "error" or "none" level, '
                                                  f"given {parts[1]!r}" + (" (Tendermint has no warn level)"
                                                                          if parts[1].startswith("warn") else ""))
    return level


def validate_laddr(addr: str, source: str = "--rpc-laddr") -> str:
    m = re.fullmatch(r"tcp://(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):(\d{1,5})|unix://\S+", addr)
    if not m or (m.group(2) and not 0 < int(m.group(2)) < 65536):
        raise InputError(source, "laddr", f"{addr!r}: expected tcp://HOST:PORT (e.g. tcp://127.0.0.1:26657) "
                                          "or unix:///path")
    return addr


def with_port(laddr: str, port: int) -> str:
    """tcp://0.0.0.0:26656 with another port; the host part kept."""
    m = re.fullmatch(r"(tcp://)?(.*):(\d+)", laddr)
    host = m.group(2) if m else "0.0.0.0"
    return f"tcp://{host}:{port}"


def load_config(path: Path) -> tomlkit.TOMLDocument:
    """The current config.toml as a tomlkit document (comments kept); the minimal one when absent."""
    from pmwizard.core.safeio import NotRegular, os_error_reason, read_input

    try:
        data = read_input(path, MAX_CONFIG)
    except NotRegular as exc:
        raise InputError(str(path), None, f"is {exc.kind}, not a Tendermint config.toml") from None
    except OSError as exc:
        raise InputError(str(path), None, f"cannot be read: {os_error_reason(exc)}") from None
    if data is None:
        return tomlkit.parse(MINIMAL_CONFIG)
    try:
        if len(data) > MAX_CONFIG:
            raise InputError(str(path), None, "is larger than 1 MiB; not a Tendermint config.toml")
        text = data.decode("utf-8")
        return tomlkit.parse(text)
    except UnicodeDecodeError:
        raise InputError(str(path), None, "is not UTF-8 text") from None
    except TOMLKitError as exc:
        raise InputError(str(path), None, f"is not valid TOML ({exc})") from None
    except RecursionError:
        raise InputError(str(path), None, "is nested too deeply to be a Tendermint config.toml") from None
    except OSError as exc:
        raise InputError(str(path), None, f"cannot be read ({exc.strerror})") from None


def _section(doc: tomlkit.TOMLDocument, name: str, source: str) -> Any:
    if name not in doc:
        doc.add(tomlkit.nl())
        doc.add(name, tomlkit.table())
    table = doc[name]
    if not isinstance(table, dict):
        raise InputError(source, name, "is not a [section]; fix config.toml by hand first")
    return table


def _add_in_place(container: Any, key: str, value: Any) -> None:
    """Add a missing key right after the section's last key, not after the comment banner that introduces
    the next section (tomlkit keeps that banner inside this section's body)."""
    inner = container if isinstance(container, tomlkit.TOMLDocument) else container.value
    last = None
    for k, item in inner.body:
        if k is not None and not isinstance(item, tomlkit.items.Table | tomlkit.items.AoT):
            last = k
    if last is None and not inner.body:
        container[key] = value
    elif last is None:
        inner._insert_at(0, key, value)
    else:
        inner._insert_after(last, key, value)


def _set(container: Any, key: str, value: Any, changed: list[str], label: str) -> None:
    current = container.get(key)
    current = current.unwrap() if hasattr(current, "unwrap") else current
    if current != value or type(current) is not type(value):
        if key in container:
            container[key] = value
        else:
            _add_in_place(container, key, value)
        changed.append(label)


@dataclass(frozen=True)
class ConfigChoices:
    """What config.toml should say for this node; None = leave the key as it is."""

    moniker: str | None = None
    log_level: str | None = None
    peers: tuple[PeerAddress, ...] = ()
    p2p_port: int | None = None
    rpc_laddr: str | None = None
    private_peers: bool = False
    lan_why: str | None = None  # why the LAN/same-host settings are needed (core.peers.lan_reason)
    metrics_laddr: str | None = None  # [instrumentation] prometheus_listen_addr; None: leave as it is


def edit_config(text: str | None, choices: ConfigChoices, source: str) -> tuple[str, list[str]]:
    """The new config.toml text and one line per setting that changed (for the preview's notes)."""
    doc = tomlkit.parse(text) if text is not None else tomlkit.parse(MINIMAL_CONFIG)
    changed: list[str] = []
    if choices.moniker is not None:
        _set(doc, "moniker", validate_moniker(choices.moniker), changed, f"moniker = {choices.moniker!r}")
    if choices.log_level is not None:
        _set(doc, "log_level", validate_log_level(choices.log_level), changed, f"log_level = {choices.log_level!r}")
    consensus = _section(doc, "consensus", source)
    _set(consensus, "create_empty_blocks", False, changed, "[consensus] create_empty_blocks = false "
                                                            "(Planetmint makes blocks only for transactions)")
    p2p = _section(doc, "p2p", source)
    line = peers_line(list(choices.peers))
    _set(p2p, "persistent_peers", line, changed, f"[p2p] persistent_peers: {len(choices.peers)} peers "
                                                 "(every member but this node, ids lowercase)")
    _set(p2p, "send_rate", RATE, changed, f"[p2p] send_rate = {RATE}")
    _set(p2p, "recv_rate", RATE, changed, f"[p2p] recv_rate = {RATE}")
    if choices.p2p_port is not None:
        laddr = with_port(str(p2p.get("laddr", "tcp://0.0.0.0:26656")), choices.p2p_port)
        _set(p2p, "laddr", laddr, changed, f"[p2p] laddr = {laddr} (the port on this node's card)")
    if choices.private_peers or choices.lan_why:
        why = choices.lan_why or ("peers have private or loopback addresses (several nodes on one host or LAN, "
                                  "as `tendermint testnet` does)")
        _set(p2p, "addr_book_strict", False, changed, f"[p2p] addr_book_strict = false: {why}")
        _set(p2p, "allow_duplicate_ip", True, changed, f"[p2p] allow_duplicate_ip = true: {why}")
    mempool = _section(doc, "mempool", source)
    _set(mempool, "recheck", False, changed, "[mempool] recheck = false")
    if choices.rpc_laddr is not None:
        rpc = _section(doc, "rpc", source)
        _set(rpc, "laddr", validate_laddr(choices.rpc_laddr), changed, f"[rpc] laddr = {choices.rpc_laddr}")
    if choices.metrics_laddr is not None:
        inst = _section(doc, "instrumentation", source)
        _set(inst, "prometheus", True, changed, "[instrumentation] prometheus = true (for `doctor --network` "
                                                "and `pmwizard export prometheus`)")
        _set(inst, "prometheus_listen_addr", choices.metrics_laddr, changed,
             f"[instrumentation] prometheus_listen_addr = {choices.metrics_laddr!r}")
    return tomlkit.dumps(doc), changed


def validate_metrics_addr(addr: str, source: str = "--metrics") -> str:
    """Tendermint's prometheus_listen_addr is a bare HOST:PORT (":26660" listens on every address)."""
    host, sep, port = addr.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536 or any(c in host for c in " \"'\n/"):
        raise InputError(source, addr, "expected HOST:PORT, e.g. 127.0.0.1:26660 or :26660")
    return addr


def configure_plan(home: Path, genesis: Path, moniker: str | None = None, peers: Sequence[MemberCard] = (),
                   rpc_laddr: str | None = None, log_level: str | None = None,
                   genesis_data: bytes | None = None, resolve: Callable[[str], Sequence[str]] | None = None,
                   metrics: str | None = None) -> Plan:
    """Install `genesis` into the home and set config.toml for the network. Raises InputError on bad input.
    `genesis_data`: the document's bytes when they came from elsewhere (a member's RPC); `genesis` names it.
    `resolve`: host name -> addresses, to see peers that resolve to this machine or share one address."""
    from pmwizard.core.genesis import read_limited, validate_genesis

    home = Path(home)
    # Read once: the bytes validated (and whose SHA-256 is shown) are exactly the bytes installed.
    genesis_bytes = read_limited(Path(genesis)) if genesis_data is None else genesis_data
    report = validate_genesis(genesis_bytes, str(genesis))
    if not report.valid:
        raise InputError(str(genesis), None, "; ".join(report.errors))
    ident = load_identity(home)
    notes_genesis = [f"genesis {report.chain_id}, SHA-256 {report.sha256}: compare with the coordinator's"]
    if all(v.address != ident.address for v in report.validators):
        notes_genesis.append(f"warning: this node's validator {ident.address} is not in the genesis; it will run "
                             "as a non-voting full node")
    own = [c for c in peers if c.node_id == ident.node_id]
    others = [c for c in peers if c.node_id != ident.node_id]
    if moniker is not None:
        validate_moniker(moniker)
    if log_level is not None:
        validate_log_level(log_level)
    if rpc_laddr is not None:
        validate_laddr(rpc_laddr)
    if metrics is not None:
        validate_metrics_addr(metrics)
    choices = ConfigChoices(
        moniker=moniker, log_level=log_level, peers=tuple(c.peer for c in others),
        p2p_port=own[0].p2p_port if own else None, rpc_laddr=rpc_laddr,
        lan_why=lan_reason([c.hostname for c in others], resolve), metrics_laddr=metrics)
    config_path = home / "config" / "config.toml"
    old = load_config(config_path)  # validates the existing file before anything else
    text, changed = edit_config(tomlkit.dumps(old) if config_path.exists() else None, choices, str(config_path))
    plan = Plan()
    plan.add(home / "config" / "genesis.json", genesis_bytes, notes=notes_genesis)
    plan.add(config_path, text, notes=changed or ["config.toml already says all of this"])
    return plan
