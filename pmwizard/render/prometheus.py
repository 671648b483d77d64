"""Prometheus files for a Planetmint network: a scrape config for every node's Tendermint metrics
(`[instrumentation] prometheus = true`, see `configure --metrics`) and alert rules for what `doctor --network`
judges: missed blocks, a stall, too few peers, catching up, one failure from a halt.

Metric names are Tendermint 0.34's: namespace `tendermint` (0.34.24, which Planetmint pins) or `cometbft`
(CometBFT 0.34.2x), as `[instrumentation] namespace` says. Strings are written as JSON strings, which YAML
reads as double-quoted scalars, so no YAML library is needed and nothing a member typed can break the file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

RULES_FILE = "pmwizard-rules.yml"


@dataclass(frozen=True)
class ScrapeTarget:
    """One node's metrics endpoint, e.g. node1.example.org:26660, labelled with the member's name."""

    member: str
    address: str


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def scrape_config(targets: Sequence[ScrapeTarget], *, interval: str = "15s") -> str:
    lines = ["# Prometheus configuration written by pmwizard (`pmwizard export prometheus`).",
             "global:", f"  scrape_interval: {_q(interval)}", f"  evaluation_interval: {_q(interval)}",
             "rule_files:", f"  - {_q(RULES_FILE)}", "scrape_configs:", "  - job_name: \"tendermint\"",
             "    metrics_path: \"/metrics\"", "    static_configs:"]
    for t in targets:
        lines += [f"      - targets: [{_q(t.address)}]", f"        labels: {{member: {_q(t.member)}}}"]
    if not targets:
        lines.append("      []")
    return "\n".join(lines) + "\n"


# (name, expression, for, severity, summary, description)
ALERTS = [
    ("TendermintStall",
     ("{ns}_consensus_rounds >= 3 or ({ns}_mempool_size > 0 and "
     "changes({ns}_consensus_height[2m]) == 0)"),
     "1m", "critical", "No new block on {{ $labels.member }}",
     ("Rounds keep failing or transactions wait without a block: more than 2/3 of the voting power is not "
     "voting. Run `pmwizard doctor --network` to name the validators.")),
    ("TendermintHaltMargin",
     ("({ns}_consensus_validators_power - {ns}_consensus_missing_validators_power) * 3 "
     "<= {ns}_consensus_validators_power * 2 + 3 * max by (chain_id) ({ns}_consensus_validator_power)"),
     "5m", "warning", "One more validator failure halts the chain",
     "The voting power still signing leaves no room for another failure; bring the missing validators back."),
    ("TendermintMissedBlocks", "{ns}_consensus_missing_validators > 0", "5m", "warning",
     "Validators missing from commits ({{ $value }})",
     "Some validators have not signed the recent blocks. Run `pmwizard doctor --network` to see who."),
    ("TendermintNoPeers", "{ns}_p2p_peers < 1", "2m", "critical", "{{ $labels.member }} has no peers",
     "Check the duplicate-IP filter, the peers line and the firewall (`pmwizard doctor` on that node)."),
    ("TendermintCatchingUp", "{ns}_consensus_fast_syncing == 1", "15m", "warning",
     "{{ $labels.member }} is still catching up",
     "The node has been block-syncing for 15 minutes; check its peers and disk."),
]


def alert_rules(namespace: str = "tendermint") -> str:
    lines = ["# Alert rules written by pmwizard (`pmwizard export prometheus`); `promtool check rules` accepts them.",
             "groups:", "  - name: \"planetmint-network\"", "    rules:"]
    for name, expr, wait, severity, summary, description in ALERTS:
        lines += [f"      - alert: {_q(name)}", f"        expr: {_q(expr.replace('{ns}', namespace))}",
                  f"        for: {_q(wait)}",
                  f"        labels: {{severity: {_q(severity)}}}", "        annotations:",
                  f"          summary: {_q(summary)}", f"          description: {_q(description)}"]
    return "\n".join(lines) + "\n"
