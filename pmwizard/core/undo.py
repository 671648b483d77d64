"""Undo the last apply: each file pmwizard replaced gets its backup back, as a previewed Plan.

Files the last apply created are listed, not deleted (deleting is left to the person); key files are never
touched. A file edited since pmwizard wrote it is refused: undo would lose that edit.

The journal and the backups live in folders other people may be able to write to (a shared config folder):
before anything is read from them, each is checked to be a regular file (not a symbolic link, not a FIFO),
owned by us or by the file it restores, and, for a backup, to hold exactly the bytes whose SHA-256 the apply
recorded. A backup swapped for a link to a private key is refused without being read or shown.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmwizard.core.plan import MAX_PREVIEW_BYTES, Plan, journal_path
from pmwizard.core.safeio import kind_of, os_error_reason
from pmwizard.errors import InputError

MAX_JOURNAL_BYTES = 1 << 20


@dataclass
class UndoPlan:
    plan: Plan = field(default_factory=Plan)
    created: list[Path] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    partial: bool = False  # the last apply stopped part way: what it changed is still undone


class Untrusted(Exception):
    """A journal or backup that failed verification: the reason, already one sentence."""


def _read_trusted(path: Path, owners: set[int], limit: int, what: str = "the backup pmwizard made") -> bytes:
    """The bytes of `path` if it is a regular file (no link followed) owned by one of `owners`."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
    except FileNotFoundError:
        raise Untrusted("is gone") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW: the last part is a symbolic link
            raise Untrusted(f"is a symbolic link, not {what}") from None
        raise Untrusted(os_error_reason(exc)) from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Untrusted(f"is {kind_of(st.st_mode)}, not {what}")
        if st.st_uid not in owners:
            raise Untrusted(f"is owned by uid {st.st_uid}, not by the user that wrote it")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise Untrusted("is larger than anything pmwizard writes")
    return data


def _entries(path: Path) -> tuple[list[dict[str, Any]], bool]:
    damaged = "the record of the last apply is damaged; restore backups (*.bak beside each file) by hand"
    if not os.path.lexists(path):
        raise InputError(str(path), None, "no record of an earlier apply: nothing to undo")
    try:
        data = _read_trusted(path, {os.geteuid()}, MAX_JOURNAL_BYTES, "the record pmwizard wrote")
    except Untrusted as exc:
        raise InputError(str(path), None, f"{exc}; not used (restore backups by hand)") from None
    try:
        doc = json.loads(data.decode("utf-8"))
        entries = doc["written"]
        if not isinstance(entries, list) or not all(
                isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("backup"), str | None)
                for e in entries):
            raise TypeError
    except (ValueError, KeyError, TypeError, RecursionError):
        raise InputError(str(path), "written", damaged) from None
    return entries, doc.get("complete", True) is False


def _current(target: Path) -> bytes | None:
    """The target now, None when absent; Untrusted when it is not a regular file we may read."""
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        raise Untrusted(f"is {'a symbolic link' if stat.S_ISLNK(st.st_mode) else kind_of(st.st_mode)} now")
    return _read_trusted(target, {os.geteuid(), st.st_uid}, MAX_PREVIEW_BYTES, "the file pmwizard wrote")


def _sha(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def undo_plan() -> UndoPlan:
    entries, partial = _entries(journal_path())
    out = UndoPlan(partial=partial)
    for e in entries:
        target = Path(e["path"])
        try:
            current = _current(target)
        except Untrusted as exc:
            out.refused.append(f"{target}: {exc}; not restored")
            continue
        now = _sha(current)
        if partial and now == e.get("old_sha256") and now != e.get("sha256"):
            continue  # the apply stopped before replacing this one: nothing to undo
        if e.get("sha256") and now != e["sha256"]:
            out.refused.append(f"{target}: changed since pmwizard wrote it; not restored (backup: {e['backup']})")
            continue
        if e.get("key_file"):
            out.refused.append(f"{target}: a key file; pmwizard never removes or replaces keys")
            continue
        if not e.get("backup"):
            out.created.append(target)
            continue
        backup = Path(e["backup"])
        if backup.parent != target.parent or not backup.name.startswith(f"{target.name}.") \
                or not backup.name.endswith(".bak"):
            out.refused.append(f"{target}: the recorded backup {backup} is not beside it; not restored")
            continue
        if not e.get("backup_sha256"):
            out.refused.append(f"{target}: its backup {backup} was recorded without a SHA-256; restore it by hand")
            continue
        owners = {os.geteuid()} | ({os.lstat(target).st_uid} if current is not None else set())
        try:
            data = _read_trusted(backup, owners, MAX_PREVIEW_BYTES)
        except Untrusted as exc:
            out.refused.append(f"{target}: its backup {backup} {exc}; not restored")
            continue
        if _sha(data) != e["backup_sha256"]:
            out.refused.append(f"{target}: its backup {backup} is not the file pmwizard kept (SHA-256 differs); "
                               "not restored")
            continue
        out.plan.add(target, data, notes=(f"restore the version kept in {backup}",))
    return out
