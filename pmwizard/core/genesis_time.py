"""genesis_time as Tendermint 0.34 reads it: tmjson insists on a string ending in `Z`, then Go's
time.Time.UnmarshalJSON parses the raw text with parseStrictRFC3339. `parse_rfc3339` gives Go's verdict and
Go's error text (`parsing time "…" as "2006-01-02T15:04:05Z07:00": cannot parse "…" as "T"`,
`parsing time "…": day out of range`); `GoTime.rfc3339nano` writes a time the way Tendermint does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LAYOUT = "2006-01-02T15:04:05Z07:00"
ZERO_TIME = "0001-01-01T00:00:00Z"
_FAST = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?Z")


class TimeError(ValueError):
    """Go's *time.ParseError text for a genesis_time."""


@dataclass(frozen=True)
class GoTime:
    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    nanos: int

    def is_zero(self) -> bool:
        """Go's Time.IsZero: Tendermint replaces such a genesis_time with each node's own clock."""
        return (self.year, self.month, self.day, self.hour, self.minute, self.second, self.nanos) == \
            (1, 1, 1, 0, 0, 0, 0)

    def rfc3339nano(self) -> str:
        """Go's RFC3339Nano, as tmjson writes times: trailing zeros of the fraction dropped."""
        frac = f"{self.nanos:09d}".rstrip("0")
        return (f"{self.year:04d}-{self.month:02d}-{self.day:02d}T{self.hour:02d}:{self.minute:02d}:"
                f"{self.second:02d}" + (f".{frac}" if frac else "") + "Z")


def go_quote(s: str) -> str:
    """time.quote: double quotes, backslash escapes, non-ASCII and control bytes as \\xNN."""
    out: list[str] = []
    for ch in s:
        if ord(ch) < 0x20 or ord(ch) >= 0x80:
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogateescape"))
        else:
            out.append("\\" + ch if ch in '"\\' else ch)
    return '"' + "".join(out) + '"'


def days_in(month: int, year: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _digit(s: str, i: int) -> bool:
    return i < len(s) and "0" <= s[i] <= "9"


def _getnum(s: str, fixed: bool) -> tuple[int, str] | None:
    if not _digit(s, 0):
        return None
    if not _digit(s, 1):
        return None if fixed else (int(s[0]), s[1:])
    return int(s[:2]), s[2:]


def _nanos(digits: str) -> int:
    return int((digits[:9] + "000000000")[:9])


def _general(value: str) -> GoTime:
    """Go's time.Parse(RFC3339, value) step by step, for its error text (and the cases it accepts)."""
    rest = value

    def bad(elem: str, at: str) -> TimeError:
        return TimeError(f"parsing time {go_quote(value)} as {go_quote(LAYOUT)}: cannot parse {go_quote(at)} as "
                         f"{go_quote(elem)}")

    def out_of_range(what: str) -> TimeError:
        return TimeError(f"parsing time {go_quote(value)}: {what} out of range")

    def skip(prefix: str) -> None:
        nonlocal rest
        if not rest.startswith(prefix):
            raise bad(prefix, rest)
        rest = rest[len(prefix):]

    if len(rest) < 4 or not all("0" <= c <= "9" for c in rest[:4]):
        raise bad("2006", rest)
    year, rest = int(rest[:4]), rest[4:]
    numbers = []
    for prefix, elem, fixed, limit, name in (("-", "01", True, 13, "month"), ("-", "02", True, 100, "day"),
                                             ("T", "15", False, 24, "hour"), (":", "04", True, 60, "minute"),
                                             (":", "05", True, 60, "second")):
        skip(prefix)
        got = _getnum(rest, fixed)
        if got is None:
            raise bad(elem, rest)
        number, rest = got
        if number >= limit or (name == "month" and number == 0):
            raise out_of_range(name)
        numbers.append(number)
    nanos = 0
    if len(rest) >= 2 and rest[0] in ".," and _digit(rest, 1):
        n = 2
        while _digit(rest, n):
            n += 1
        nanos, rest = _nanos(rest[1:n]), rest[n:]
    if rest.startswith("Z"):
        rest = rest[1:]
    elif len(rest) < 6 or rest[3] != ":" or rest[0] not in "+-" or not all(_digit(rest, i) for i in (1, 2, 4, 5)):
        raise bad("Z07:00", rest)
    else:
        rest = rest[6:]
    if rest:
        raise TimeError(f"parsing time {go_quote(value)}: extra text: {go_quote(rest)}")
    month, day, hour, minute, second = numbers
    if day < 1 or day > days_in(month, year):
        raise out_of_range("day")
    # parseStrictRFC3339's extra checks (one-digit hour, comma) are disabled in Go (go.dev/issue/54580), and
    # Go 1.18/1.19 (the 0.34.24 release builds) never had them: such times are accepted
    if not value.endswith("Z"):
        raise TimeError(f"parsing time {go_quote(value)}: not UTC")  # tmjson would have refused it already
    return GoTime(year, month, day, hour, minute, second, nanos)


def parse_rfc3339(value: str) -> GoTime:
    """The text between genesis_time's quotes, as Go 1.20+ parses it. Raises TimeError with Go's text."""
    m = _FAST.fullmatch(value)
    if m:
        y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
        if 1 <= mo <= 12 and 1 <= d <= days_in(mo, y) and h < 24 and mi < 60 and s < 60:
            return GoTime(y, mo, d, h, mi, s, _nanos(m.group(7) or ""))
    return _general(value)
