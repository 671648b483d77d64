"""Tendermint's Prometheus metrics (`[instrumentation] prometheus = true`), read when this node serves them:
the node's own count of missing validators, rounds at this height, peers and block sync, which the network
doctor shows beside what the RPC says. Text exposition format, parsed for the few gauges it needs."""

from __future__ import annotations

from pmwizard.checks.httpget import HttpTrouble, http_get

WANTED = ("consensus_height", "consensus_rounds", "consensus_validators", "consensus_validators_power",
          "consensus_missing_validators", "consensus_missing_validators_power", "consensus_fast_syncing",
          "p2p_peers", "mempool_size")
# Tendermint 0.34.24 (what Planetmint pins) names them tendermint_*, CometBFT 0.34.2x cometbft_*
# (`[instrumentation] namespace`)
NAMESPACES = ("tendermint", "cometbft")


def parse_metrics(text: str, namespaces: tuple[str, ...] = NAMESPACES) -> dict[str, float]:
    """name without its namespace -> value, for the WANTED gauges (the first series of each; one chain)."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        full = line.split("{", 1)[0].split(" ", 1)[0]
        space, _, name = full.partition("_")
        if space in namespaces and name in WANTED and name not in out:
            try:
                out[name] = float(line.rsplit(" ", 1)[1])
            except (IndexError, ValueError):
                continue
    return out


async def read_metrics(url: str, timeout: float = 5.0) -> dict[str, float] | None:
    """The gauges at `url` (…/metrics), or None when nothing usable answers there."""
    try:
        reply = await http_get(url, timeout=timeout, max_bytes=4 << 20)
    except HttpTrouble:
        return None
    if reply.status != 200:
        return None
    found = parse_metrics(reply.body.decode("utf-8", "replace"))
    return found or None


def metrics_url(home_config: dict) -> str | None:
    """This node's metrics URL from config.toml, when prometheus is on."""
    inst = home_config.get("instrumentation", {}) if isinstance(home_config, dict) else {}
    if not isinstance(inst, dict) or not inst.get("prometheus"):
        return None
    addr = str(inst.get("prometheus_listen_addr", ":26660"))
    host, _, port = addr.rpartition(":")
    host = "127.0.0.1" if host in ("", "0.0.0.0") else host
    return f"http://{host}:{port}/metrics" if port.isdigit() else None
