"""`pmwizard validators migrate ID`: after a chain-migration election concluded, the new chain's genesis.json.

Planetmint answers only through `planetmint election show ID` (run here with a deadline, or its saved output
given with --show FILE). The node's Tendermint data folder is copied next to itself first (never moved or
deleted: the old chain stays readable), then the new genesis is written through the Plan (previewed with
--check, atomic, the old genesis kept as a backup). The steps Planetmint's docs leave to the operator (stop,
reset Tendermint's state, start on the new genesis) are printed, not run.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from pmwizard.cli.common import home_arg, print_json, say

MAX_SHOW_BYTES = 4 * 1024 * 1024


def _show_text(args: argparse.Namespace, eid: str) -> tuple[str, str]:
    """(Planetmint's `election show` output, where it came from)."""
    from pmwizard.checks.planetmint_cli import PlanetmintCli, PlanetmintFailed, last_words
    from pmwizard.errors import InputError

    if args.show:
        path = Path(args.show)
        try:
            data = path.read_bytes()[:MAX_SHOW_BYTES + 1]
        except OSError as exc:
            raise InputError(args.show, None, f"cannot read: {exc.strerror}") from None
        if len(data) > MAX_SHOW_BYTES:
            raise InputError(args.show, None, "larger than 4 MiB: not an `election show` output")
        return data.decode("utf-8", "replace"), args.show
    cli = PlanetmintCli.find(args.planetmint_bin, args.planetmint_config, args.planetmint_timeout)
    code, out = cli.run("election", "show", eid)
    if "status=" not in out:
        raise PlanetmintFailed(f"`planetmint election show {eid}` gave no status (exit {code}): {last_words(out)}")
    return out, f"planetmint election show {eid}"


def _data_backup(data: Path, chain_id: str) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return data.with_name(f"{data.name}.before-{chain_id}.{stamp}")


def run_migrate(args: argparse.Namespace) -> int:
    from pmwizard.core.election import check_election_id
    from pmwizard.core.genesis import read_limited, validate_genesis
    from pmwizard.core.migration import migration_genesis, parse_election_show
    from pmwizard.core.paths import tendermint_home
    from pmwizard.core.plan import Plan
    from pmwizard.core.shown import for_shell, visible_lines
    from pmwizard.errors import InputError, PmwizardError

    eid = check_election_id(args.election)
    text, source = _show_text(args, eid)
    migration = parse_election_show(text, source)
    home = tendermint_home(home_arg(args))
    genesis_path = home / "config" / "genesis.json"
    if not genesis_path.is_file():
        raise InputError(str(genesis_path), None, "no genesis.json in this node home (--home)")
    old = read_limited(genesis_path)
    current = validate_genesis(old, str(genesis_path))
    if current.chain_id == migration.chain_id:
        # already done (a second run): no second copy of the data, nothing rewritten
        if args.json:
            print_json({"election_id": eid, "source": source, "migration": migration.to_json(),
                        "genesis": str(genesis_path), "new_sha256": current.sha256, "chain_id": current.chain_id,
                        "already_migrated": True, "data_backup": None, "written": []})
        else:
            say(f"{genesis_path} is already the genesis of {migration.chain_id}: nothing to change")
        return 0
    new = migration_genesis(migration, old, source, str(genesis_path), args.genesis_time)
    report = validate_genesis(new.encode(), str(genesis_path))
    reset = f"tendermint unsafe-reset-all --home {for_shell(str(home))}"  # refused before any write if unsafe
    data = home / "data"
    backup = _data_backup(data, report.chain_id or "migration")
    plan = Plan()
    plan.add(genesis_path, new, notes=(f"the new chain {report.chain_id} after election {eid}",))
    doc: dict[str, Any] = {"election_id": eid, "source": source, "migration": migration.to_json(),
                           "genesis": str(genesis_path), "new_sha256": report.sha256, "chain_id": report.chain_id,
                           "already_migrated": False, "data_backup": None, "written": []}
    if args.check:
        if args.json:
            print_json({**doc, "diff": plan.diff(), "data_backup_would_be": str(backup)})
            return 0
        say(f"election {eid} concluded: the new chain is {report.chain_id}")
        say(f"would copy {data} to {backup} first (stop Tendermint before --yes: a running node's copy may be torn)"
            if data.is_dir() else f"no {data} to back up")
        sys.stdout.write(visible_lines(plan.diff()))  # the diff carries names from the genesis
        return 0
    if data.is_dir():
        if backup.exists():
            raise InputError(str(backup), None, "already exists: run again in a second")
        try:
            shutil.copytree(data, backup, symlinks=True)
        except (OSError, shutil.Error) as exc:  # the genesis is not written without a complete copy
            raise PmwizardError(f"cannot copy {data} to {backup}: {exc}; nothing written (the partial copy "
                                "is left for you to inspect)") from None
        doc["data_backup"] = str(backup)
        if not args.json:
            say(f"copied {data} to {backup}")
    written = plan.apply()
    doc["written"] = [{"path": str(w.path), "backup": str(w.backup) if w.backup else None} for w in written]
    if args.json:
        print_json(doc)
        return 0
    for w in written:
        say(f"wrote {w.path}" + (f" (previous version kept as {w.backup})" if w.backup else ""))
    say("next, on every validator: stop Tendermint and Planetmint (if still running); back up Tarantool's data; "
        f"reset Tendermint's state (`{reset}`, the copy above keeps the old chain); start Planetmint, "
        f"then Tendermint on the new genesis (SHA-256 {report.sha256}, compare it with the others)")
    return 0
