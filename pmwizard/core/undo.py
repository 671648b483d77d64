"""Undo the last apply: each file pmwizard replaced gets its backup back, as a previewed Plan.

Files the last apply created are listed, not deleted (deleting is left to the person); key files are never
touched. A file edited since pmwizard wrote it is refused: undo would lose that edit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from pmwizard.core.plan import Plan, journal_path
from pmwizard.errors import InputError


@dataclass
class UndoPlan:
    plan: Plan = field(default_factory=Plan)
    created: list[Path] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def undo_plan() -> UndoPlan:
    path = journal_path()
    if not path.exists():
        raise InputError(str(path), None, "no record of an earlier apply: nothing to undo")
    try:
        entries = json.loads(path.read_text())["written"]
    except (ValueError, KeyError, TypeError):
        raise InputError(str(path), "written", "the record of the last apply is damaged; restore backups "
                                               "(*.bak beside each file) by hand") from None
    out = UndoPlan()
    for e in entries:
        target = Path(e["path"])
        current = target.read_bytes() if target.exists() else None
        if e.get("sha256") and (current is None or hashlib.sha256(current).hexdigest() != e["sha256"]):
            out.refused.append(f"{target}: changed since pmwizard wrote it; not restored (backup: {e['backup']})")
            continue
        if e.get("key_file"):
            out.refused.append(f"{target}: a key file; pmwizard never removes or replaces keys")
            continue
        if not e.get("backup"):
            out.created.append(target)
            continue
        backup = Path(e["backup"])
        if not backup.exists():
            out.refused.append(f"{target}: its backup {backup} is gone")
            continue
        out.plan.add(target, backup.read_bytes(), notes=(f"restore the version kept in {backup}",))
    return out
