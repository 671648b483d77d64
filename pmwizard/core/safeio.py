"""Opening files named by a person without being surprised by what they are.

A FIFO blocks `open()` until someone writes to it, a device node (a copy of /dev/zero) never ends, a folder or
a too-long name raises an OSError whose text does not say what to do. Every file pmwizard reads as input or
snapshots before replacing is opened here: non-blocking first, then judged by `fstat` before any byte is
read, and every OSError becomes one sentence naming the path and the fix.
"""

from __future__ import annotations

import errno
import os
import select
import stat
from pathlib import Path

KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def kind_of(mode: int) -> str:
    """'a folder', 'a FIFO (named pipe)', ... for a st_mode that is not a regular file."""
    return KINDS.get(stat.S_IFMT(mode), "not a regular file")


def os_error_text(path: str | os.PathLike[str], exc: OSError) -> str:
    """One line for an OSError on `path`: the path, what went wrong and what to do about it."""
    where = str(exc.filename) if exc.filename else str(path)
    return f"{where}: {os_error_reason(exc)}"


def os_error_reason(exc: OSError) -> str:
    """What went wrong and the fix, without the path (for messages that name it already)."""
    fixes = {
        errno.EACCES: "permission denied; run as the user that owns it, or fix its permissions",
        errno.EPERM: "operation not permitted; run as the user that owns it, or fix its permissions",
        errno.EROFS: "the file system is read-only; choose a writable place (or remount it read-write)",
        errno.ENOSPC: "no space left on the device; free some space and run again",
        errno.EDQUOT: "disk quota exceeded; free some space and run again",
        errno.EFBIG: "the file would be too large for this file system or limit; free space or raise the limit",
        errno.EISDIR: "is a folder; give the path of a file inside it",
        errno.ENOTDIR: "a part of the path is a file, not a folder; choose a path inside a folder",
        errno.ENAMETOOLONG: "the name is too long for this file system; choose a shorter name",
        errno.ENOENT: "does not exist; check the path",
        errno.ELOOP: "too many symbolic links in the path; use the real path",
        errno.EEXIST: "already exists",
        errno.ETIMEDOUT: "nothing arrived in time (a FIFO nobody writes to?); give a regular file",
    }
    return fixes.get(exc.errno or 0, f"{exc.strerror or exc}; check the path and try again")


def open_regular(path: str | os.PathLike[str], flags: int = os.O_RDONLY, *, streams: bool = False) -> int | None:
    """A file descriptor for `path` if it is a regular file, None if it does not exist.

    Opened with O_NONBLOCK (a FIFO without a writer does not block the open; reading it then ends at once)
    and without O_NOFOLLOW: callers that must refuse links check that first. Raises `NotRegular` for
    anything but a regular file (with `streams`, FIFOs and character devices are allowed: an input read
    with a bound, such as `<(curl ...)`), OSError for the rest.
    """
    try:
        fd = os.open(path, flags | os.O_NONBLOCK | os.O_NOCTTY)
    except FileNotFoundError:
        return None
    try:
        st = os.fstat(fd)
        allowed = stat.S_ISREG(st.st_mode) or (streams and (stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode)))
        if not allowed:
            raise NotRegular(str(path), kind_of(st.st_mode))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


class NotRegular(OSError):
    """`path` exists but is a FIFO, a device, a socket or a folder."""

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(errno.EINVAL, kind, path)
        self.kind = kind


def read_input(path: str | os.PathLike[str], limit: int) -> bytes | None:
    """An input file named by a person: a regular file, or a pipe/device read up to the bound."""
    return read_regular(path, limit, streams=True)


STREAM_WAIT = 10.0  # seconds a FIFO may stay silent before the read gives up


def read_regular(path: str | os.PathLike[str], limit: int, *, streams: bool = False) -> bytes | None:
    """At most `limit + 1` bytes of the regular file `path` (None: absent), so callers can tell 'too big'.

    Reads in small pieces so memory follows the file, not the limit. A FIFO or a character device (allowed
    with `streams`) is read without blocking, each wait bounded by STREAM_WAIT: a pipe nobody writes to, or a
    terminal nobody types in, ends in an error, not a hang.
    Raises NotRegular / OSError.
    """
    fd = open_regular(Path(path), streams=streams)
    if fd is None:
        return None
    chunks: list[bytes] = []
    total = 0
    try:
        mode = os.fstat(fd).st_mode
        fifo = stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)  # a pipe, or a device such as a terminal: may block
        poller = select.poll()
        if fifo:
            os.set_blocking(fd, False)
            poller.register(fd, select.POLLIN)
        while total <= limit:
            if fifo and not poller.poll(STREAM_WAIT * 1000):
                raise OSError(errno.ETIMEDOUT, f"nothing arrived within {STREAM_WAIT:g} s", str(path))
            try:
                chunk = os.read(fd, min(65536, limit + 1 - total))
            except BlockingIOError:
                continue
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)
