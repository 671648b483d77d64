"""A Plan is the list of file changes pmwizard intends to make, previewed as unified diffs before anything
is written (SPEC §7). Applying it is atomic per file (same-folder temp file, fsync, rename), keeps each
previous version as a timestamped backup beside the file, refuses a file that changed since the preview,
never overwrites a file marked create-only (key files), and records a journal so `pmwizard undo` can
restore the last apply.
"""

from __future__ import annotations

import difflib
import errno
import fcntl
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pmwizard.core.paths import state_dir
from pmwizard.errors import WriteRefused

MAX_PREVIEW_BYTES = 16 * 1024 * 1024


def _read_bytes(path: Path) -> bytes | None:
    """The file as it is now (None: absent). A FIFO, a device, a socket or a folder is refused here, at
    preview time, before anything is written: replacing them would break what they are, reading a FIFO
    would hang. A path that cannot name a file (a file where a folder should be, a name too long) is a
    WriteRefused line naming the path and the fix; other OSErrors (permission, I/O) go up as they are."""
    from pmwizard.core.safeio import NotRegular, os_error_text, read_regular

    try:
        return read_regular(path, MAX_PREVIEW_BYTES)
    except NotRegular as exc:
        if exc.kind == "a folder":
            raise WriteRefused(f"{path}: is a folder; give the path of a file (e.g. {path}/NAME)") from None
        raise WriteRefused(f"{path}: is {exc.kind}; pmwizard writes only regular files, choose another path") from None
    except OSError as exc:
        if exc.errno in (errno.ENOTDIR, errno.ENAMETOOLONG, errno.EISDIR, errno.ELOOP):
            raise WriteRefused(os_error_text(path, exc)) from None  # a path that cannot be a file: bad input
        raise  # permission, I/O: could not read (the CLI says so in one line, exit 3)


def _sha256(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class FileChange:
    """One file to create or replace. `old` is the file's bytes when the preview was made (None: absent)."""

    path: Path
    new: bytes
    old: bytes | None
    mode: int = 0o644
    dir_mode: int = 0o755
    create_only: bool = False
    notes: tuple[str, ...] = ()
    secret: bool = False  # a private key: the preview names the file but never shows its content

    @property
    def is_new(self) -> bool:
        return self.old is None

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def counts(self) -> tuple[int, int]:
        """(lines added, lines removed) of the diff."""
        plus = minus = 0
        for line in self._diff_lines():
            if line.startswith("+") and not line.startswith("+++"):
                plus += 1
            elif line.startswith("-") and not line.startswith("---"):
                minus += 1
        return plus, minus

    def _diff_lines(self) -> Iterator[str]:
        if self.secret:
            src = "/dev/null" if self.old is None else f"a{self.path}"
            return iter([f"--- {src}\n", f"+++ b{self.path}\n", "@@ private key: content not shown @@\n"])
        old_text = "" if self.old is None else self.old.decode("utf-8", "replace")
        new_text = self.new.decode("utf-8", "replace")
        return difflib.unified_diff(
            old_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile="/dev/null" if self.old is None else f"a{self.path}",
            tofile=f"b{self.path}",
        )

    def diff(self) -> str:
        """The unified diff of this change, notes first as `#` lines. Empty string when nothing changes."""
        if not self.changed:
            return ""
        head = "".join(f"# {note}\n" for note in self.notes)
        body = ""
        for line in self._diff_lines():
            body += line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
        return head + body


@dataclass(frozen=True)
class Written:
    """What applying one change did: the file written and where its previous version was kept."""

    path: Path
    backup: Path | None
    sha256: str | None = None  # of what was written: undo refuses a file edited since
    key_file: bool = False
    old_sha256: str | None = None  # of what was there before (None: absent): a replace that never happened
    backup_sha256: str | None = None  # undo restores the backup only if it still has these bytes


@dataclass
class Plan:
    """File changes to preview and then apply. Build with `add`; `diff()` is the exact preview."""

    changes: list[FileChange] = field(default_factory=list)

    def add(
        self,
        path: str | os.PathLike[str],
        new: str | bytes,
        *,
        mode: int = 0o644,
        dir_mode: int = 0o755,
        create_only: bool = False,
        notes: Iterable[str] = (),
        secret: bool = False,
    ) -> FileChange:
        """Snapshot the file as it is now and record what it should become."""
        p = Path(path).expanduser().absolute()
        data = new.encode("utf-8") if isinstance(new, str) else new
        change = FileChange(
            path=p,
            new=data,
            old=_read_bytes(p),
            mode=mode,
            dir_mode=dir_mode,
            create_only=create_only,
            notes=tuple(notes),
            secret=secret,
        )
        self.changes = [c for c in self.changes if c.path != p] + [change]
        return change

    def extend(self, other: Plan) -> None:
        for c in other.changes:
            self.changes = [x for x in self.changes if x.path != c.path] + [c]

    @property
    def pending(self) -> list[FileChange]:
        return [c for c in self.changes if c.changed]

    def diff(self) -> str:
        """Every pending change as one unified diff: what `--check` prints and `--yes` applies."""
        return "".join(c.diff() for c in self.pending)

    def apply(self, only: Iterable[str | os.PathLike[str]] | None = None,
              state: Path | None = None) -> list[Written]:
        """Write the pending changes (or only those paths). Raises WriteRefused before writing anything
        if a file changed since the preview or a create-only file exists. `state`: the folder for the lock
        and the undo journal (default: pmwizard's state folder; the demo passes its sandbox's, so trying
        the demo never replaces the record `pmwizard undo` needs).

        The journal (`last-apply.json`) is rewritten before each file is replaced, so when a later file
        fails (a full disk, a permission) `pmwizard undo` still knows every file this apply changed."""
        chosen = self.pending
        if only is not None:
            wanted = {Path(p).expanduser().absolute() for p in only}
            chosen = [c for c in chosen if c.path in wanted]
        if not chosen:
            return []
        with _apply_lock(state):
            for c in chosen:
                _check_unchanged(c)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            done: list[Written] = []

            def journal_with(w: Written) -> None:  # before each replace: undo knows it if a later file fails
                _record_journal([*done, w], state, complete=False)

            for c in chosen:
                done.append(_write_one(c, stamp, journal_with))
            _record_journal(done, state, complete=True)
        return done


@contextmanager
def _apply_lock(state: Path | None = None) -> Iterator[None]:
    """Two pmwizard processes applying at once take turns instead of interleaving."""
    folder = state or state_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(folder / "apply.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _check_unchanged(c: FileChange) -> None:
    if c.path.is_symlink():
        raise WriteRefused(f"{c.path}: is a symbolic link; pmwizard writes only regular files")
    now = _read_bytes(c.path)
    if c.create_only and now is not None:
        raise WriteRefused(f"{c.path}: already exists; key files are never overwritten")
    if _sha256(now) != _sha256(c.old):
        raise WriteRefused(
            f"{c.path}: changed since the preview was made; nothing was written. Preview again to see the change."
        )
    # A folder on the way that is a file is found by _read_bytes; one that cannot be created is found here,
    # before the first file of the plan is replaced.
    parent = c.path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise WriteRefused(f"{parent}: is a file, not a folder; choose a path inside a folder")


def _make_dirs(folder: Path, mode: int) -> None:
    missing = []
    p = folder
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        d.mkdir(mode=mode)
        os.chmod(d, mode)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _clear_stale_temps(path: Path) -> None:
    """Temp files of an apply that was killed mid-way; we hold the apply lock, so none is in use. Names are
    matched exactly, not globbed (a file called `*` must not match every hidden `.X.Y.tmp`): only regular
    files shaped like our own temp files, `.NAME.<8 characters>.tmp` and `.NAME.<stamp>.bak.<8>.tmp`."""
    shape = re.compile(rf"\.{re.escape(path.name)}\.(?:\d{{8}}T\d{{12}}Z\.bak\.)?[A-Za-z0-9_]{{8}}\.tmp")
    for name in os.listdir(path.parent):
        stale = path.parent / name
        if shape.fullmatch(name) and stale.is_file() and not stale.is_symlink():
            stale.unlink(missing_ok=True)


def _write_one(c: FileChange, stamp: str, before_replace: Callable[[Written], None]) -> Written:
    """Back up the old version, tell the journal, then replace. The replaced file's mode and owner are kept
    (run as root, config.toml must stay readable by the node's own user)."""
    folder = c.path.parent
    _make_dirs(folder, c.dir_mode)
    _clear_stale_temps(c.path)
    backup: Path | None = None
    backup_sha = None
    mode, owner = c.mode, None
    if c.old is not None:
        st = os.lstat(c.path)
        mode, owner = st.st_mode & 0o7777, (st.st_uid, st.st_gid)
        backup = c.path.with_name(f"{c.path.name}.{stamp}.bak")
        _atomic_write(backup, c.old, mode, create_only=True, owner=owner)
        backup_sha = _sha256(c.old)
    written = Written(path=c.path, backup=backup, sha256=_sha256(c.new), key_file=c.create_only,
                      old_sha256=_sha256(c.old), backup_sha256=backup_sha)
    try:
        before_replace(written)
    except BaseException:
        if backup is not None:  # the journal could not be written: the file stays as it was, no stray backup
            backup.unlink(missing_ok=True)
        raise
    _atomic_write(c.path, c.new, mode, create_only=c.create_only, owner=owner)
    return written


def _atomic_write(path: Path, data: bytes, mode: int, *, create_only: bool,
                  owner: tuple[int, int] | None = None) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if owner is not None and os.geteuid() == 0 and (os.fstat(fd).st_uid, os.fstat(fd).st_gid) != owner:
            os.fchown(fd, *owner)
        os.fchmod(fd, mode)  # after chown: chown clears set-id bits
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if create_only:
            # link() fails if the target exists: no window in which a key file could be replaced.
            try:
                os.link(tmp, path)
            except FileExistsError as exc:
                raise WriteRefused(f"{path}: already exists; key files are never overwritten") from exc
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, WriteRefused) and not exc.filename:
            # write()/fsync() errors carry no file name: name the file being written
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


def journal_path(state: Path | None = None) -> Path:
    return (state or state_dir()) / "last-apply.json"


def _record_journal(done: list[Written], state: Path | None = None, *, complete: bool) -> None:
    entries = [{"path": str(w.path), "backup": str(w.backup) if w.backup else None, "sha256": w.sha256,
                "old_sha256": w.old_sha256, "backup_sha256": w.backup_sha256, "key_file": w.key_file}
               for w in done]
    data = json.dumps({"complete": complete, "written": entries}, indent=2).encode()
    path = journal_path(state)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _atomic_write(path, data, 0o600, create_only=False)
