"""JSON read and written the way Go's encoding/json does it, for genesis files.

Tendermint reads genesis.json with Go's encoding/json underneath its own rules (tmjson), and several of
those rules look at the *raw* text of a value: 64-bit integers, hex bytes and times are taken from between
the quotes without unescaping. Python's json module differs from Go in ways that change verdicts
(NaN/Infinity accepted, a 4,300-digit limit on integers, strict UTF-8, escapes resolved), so `parse`
implements Go's grammar and error wording, keeping each string's raw text (`JStr.raw`) and each number's
text (`JNum`). `dump` writes Go's `MarshalIndent` layout (2 spaces, HTML-safe escapes).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 10000  # Go's scanner: "exceeded max depth"
_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"((?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*)"')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SPACE_REFUSED = ("in numeric literal", "after decimal point", "in exponent", "in literal", "in string escape",
                  "in \\u hexadecimal")
_LITERALS = {"t": ("true", True), "f": ("false", False), "n": ("null", None)}


class GoSyntaxError(ValueError):
    """Go's *json.SyntaxError text, e.g. "invalid character 'x' looking for beginning of value"."""


class JStr(str):
    """A decoded JSON string that remembers the text between its quotes, as Go's raw readers see it."""

    raw: str


class JObj(dict):
    """An object read with `keep_pairs`: `pairs` holds every (key, value) in document order, repeats included
    (a dict keeps one value per exact key, where Go's struct decoding sees each occurrence in turn)."""

    pairs: list[tuple[str, Any]]


def _pairs_object(pairs: list[tuple[str, Any]]) -> JObj:
    obj = JObj(pairs)
    obj.pairs = pairs
    return obj


@dataclass(frozen=True)
class JNum:
    """A JSON number kept as written (Go keeps RawMessage numbers verbatim; Python would round or refuse)."""

    text: str


def go_char(ch: str) -> str:
    """Go's quoteChar of the byte the scanner stopped at (the first UTF-8 byte of `ch`)."""
    b = ch.encode("utf-8", "surrogateescape")[0]
    if b == 0x27:
        return "'\\''"
    if b == 0x22:
        return "'\"'"
    c = chr(b)
    short = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
             "\\": "\\\\"}
    if c in short:
        return f"'{short[c]}'"
    if b < 0x20 or b == 0x7F:
        return f"'\\x{b:02x}'"
    if 0x80 <= b < 0xA0 or b == 0xAD or b == 0xA0:  # not printable for Go's strconv.IsPrint
        return f"'\\u{b:04x}'"
    return f"'{c}'"


def _decode_string(raw: str) -> JStr:
    value = raw if "\\" not in raw else json.loads(f'"{raw}"')
    if _SURROGATE.search(value):  # invalid UTF-8 and lone surrogate escapes: Go substitutes U+FFFD
        value = _SURROGATE.sub("\ufffd", value)
    out = JStr(value)
    out.raw = raw
    return out


class _Reader:
    def __init__(self, text: str, keep_pairs: bool = False) -> None:
        self.text = text
        self.n = len(text)
        self.keep_pairs = keep_pairs

    def new_object(self) -> dict:
        if not self.keep_pairs:
            return {}
        obj = JObj()
        obj.pairs = []
        return obj

    def fail(self, pos: int, context: str) -> GoSyntaxError:
        if pos >= self.n:
            # at the end Go's scanner feeds one space to the state it is in: a half-read number, literal
            # or escape objects to that space; anywhere else the input simply ended
            if context.startswith(_SPACE_REFUSED):
                return GoSyntaxError(f"invalid character ' ' {context}")
            return GoSyntaxError("unexpected end of JSON input")
        return GoSyntaxError(f"invalid character {go_char(self.text[pos])} {context}")

    def ws(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]

    def string(self, pos: int) -> tuple[JStr, int]:
        m = _STRING.match(self.text, pos)
        if m:
            return _decode_string(m.group(1)), m.end()
        j = pos + 1
        while j < self.n:  # find what Go's scanner objects to
            ch = self.text[j]
            if ch == "\\":
                nxt = self.text[j + 1] if j + 1 < self.n else ""
                if nxt == "u":
                    for k in range(j + 2, j + 6):
                        if k >= self.n or self.text[k] not in "0123456789abcdefABCDEF":
                            raise self.fail(k, "in \\u hexadecimal character escape")
                    j += 6
                    continue
                if not nxt or nxt not in '"\\/bfnrt':
                    raise self.fail(j + 1, "in string escape code")
                j += 2
                continue
            if ord(ch) < 0x20:
                raise self.fail(j, "in string literal")
            j += 1
        raise self.fail(self.n, "")

    def number(self, pos: int) -> tuple[JNum, int]:
        m = _NUMBER.match(self.text, pos)
        if not m:  # a lone '-'
            raise self.fail(pos + 1, "in numeric literal")
        end = m.end()
        nxt = self.text[end] if end < self.n else ""
        if nxt == "." and not m.group(1) and not m.group(2):
            raise self.fail(end + 1, "after decimal point in numeric literal")
        if nxt in ("e", "E") and nxt and not m.group(2):
            k = end + 1
            if k < self.n and self.text[k] in "+-":
                k += 1
            raise self.fail(k, "in exponent of numeric literal")
        return JNum(m.group(0)), end

    def literal(self, pos: int) -> tuple[Any, int]:
        word, value = _LITERALS[self.text[pos]]
        for i, expect in enumerate(word[1:], 1):
            if pos + i >= self.n or self.text[pos + i] != expect:
                raise self.fail(pos + i, f"in literal {word} (expecting '{expect}')")
        return value, pos + len(word)

    def scalar(self, pos: int) -> tuple[Any, int]:
        ch = self.text[pos] if pos < self.n else ""
        if ch == '"':
            return self.string(pos)
        if ch == "-" or ("0" <= ch <= "9" and ch):
            return self.number(pos)
        if ch in _LITERALS and ch:
            return self.literal(pos)
        raise self.fail(pos, "looking for beginning of value")

    def document(self) -> Any:
        """Iterative (no recursion limit), so a deeply nested file gets Go's answer, not a RecursionError."""
        stack: list[tuple[dict | list, str | None]] = []
        value: Any  # a scalar, or a finished object or array
        key: str | None
        pos = self.ws(0)
        while True:
            # a value starts here
            ch = self.text[pos] if pos < self.n else ""
            if ch in ("{", "["):
                if len(stack) >= MAX_DEPTH:
                    raise self.fail(pos, "exceeded max depth")
                pos = self.ws(pos + 1)
                if ch == "{":
                    if self.text.startswith("}", pos):
                        value, pos = self.new_object(), pos + 1
                    else:
                        key, pos = self._key(pos)
                        stack.append((self.new_object(), key))
                        continue
                elif self.text.startswith("]", pos):
                    value, pos = [], pos + 1
                else:
                    stack.append(([], None))
                    continue
            else:
                value, pos = self.scalar(pos)
            # the value is complete: attach it and find what comes next
            while True:
                pos = self.ws(pos)
                if not stack:
                    if pos < self.n:
                        raise self.fail(pos, "after top-level value")
                    return value
                container, key = stack[-1]
                nxt = self.text[pos] if pos < self.n else ""
                if isinstance(container, dict):
                    container[key] = value
                    if self.keep_pairs:
                        container.pairs.append((key, value))  # type: ignore[attr-defined]  # a JObj: new_object()
                    if nxt == ",":
                        new_key, pos = self._key(self.ws(pos + 1))
                        stack[-1] = (container, new_key)
                        break
                    if nxt != "}":
                        raise self.fail(pos, "after object key:value pair")
                else:
                    container.append(value)
                    if nxt == ",":
                        pos = self.ws(pos + 1)
                        break
                    if nxt != "]":
                        raise self.fail(pos, "after array element")
                stack.pop()
                value, pos = container, pos + 1

    def _key(self, pos: int) -> tuple[str, int]:
        if not self.text.startswith('"', pos):
            raise self.fail(pos, "looking for beginning of object key string")
        key, pos = self.string(pos)
        pos = self.ws(pos)
        if not self.text.startswith(":", pos):
            raise self.fail(pos, "after object key")
        return str(key), self.ws(pos + 1)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON for Go")


def _fast(text: str, keep_pairs: bool = False) -> Any:
    """Python's C decoder, where its answer is Go's: no escapes anywhere (so every string's raw text is its
    value, and a plain `str` stands for a JStr), valid UTF-8, numbers kept as text. None when it does not apply
    or the text is not plain valid JSON (the Go reader then gives Go's verdict and wording)."""
    try:
        return json.loads(text, parse_int=JNum, parse_float=JNum, parse_constant=_no_constant,
                          object_pairs_hook=_pairs_object if keep_pairs else None)
    except (ValueError, RecursionError):  # bad JSON, NaN/Infinity, or nested deeper than the C decoder goes
        return None


def parse(data: bytes | str, keep_pairs: bool = False) -> Any:
    """Go's json.Unmarshal into interface{}, keeping raw text (JStr.raw; a plain str is its own raw text).
    `keep_pairs`: objects are JObj with every key occurrence in order. Raises GoSyntaxError with Go's wording."""
    if isinstance(data, bytes):
        try:
            text, plain = data.decode("utf-8"), True
        except UnicodeDecodeError:
            text, plain = data.decode("utf-8", "surrogateescape"), False
    else:
        text, plain = data, not _SURROGATE.search(data)
    if plain and "\\" not in text:
        value = _fast(text, keep_pairs)
        if value is not None or text.strip(" \t\n\r") == "null":
            return value
    return _Reader(text, keep_pairs).document()


def raw_text(value: str) -> str:
    """The text between a string's quotes as written (what Go's raw readers see)."""
    return value.raw if isinstance(value, JStr) else value


def kind(value: Any) -> str:
    """The JSON kind Go names in "cannot unmarshal <kind> into Go value of type ..."."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, JNum | int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "<": "\\u003c", ">": "\\u003e",
            "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_HTML = re.compile("[<>&\u2028\u2029]")
_NEEDS_ESCAPE = re.compile('["\\\\\x00-\x1f<>&\u2028\u2029]')


def quote(s: str) -> str:
    """Go's json string encoding with HTML escaping (what tmjson writes)."""
    s = _SURROGATE.sub("\ufffd", s)
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(0)) or f"\\u{ord(m.group(0)):04x}", s) + '"'


def _scalar(value: Any, raw_strings: bool) -> str:
    if isinstance(value, JStr) and raw_strings and not _SURROGATE.search(value.raw):
        # json.Marshal of a RawMessage: escapes kept as written, but compacted with HTML escaping
        return '"' + _HTML.sub(lambda m: _ESCAPES[m.group(0)], value.raw) + '"'
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, JNum):
        return value.text
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _write(value: Any, level: int, indent: str | None, raw_strings: bool) -> str:
    """MarshalIndent (indent given) or Compact (None) layout, with an explicit stack: a document nested as
    deep as Go reads (10,000 levels) is written without Python's recursion limit."""
    out: list[str] = []
    todo: list[tuple[bool, Any, int]] = [(False, value, level)]  # (is literal text, value or text, level)
    key_sep = ": " if indent is not None else ":"
    while todo:
        literal, item, lv = todo.pop()
        if literal:
            out.append(item)
            continue
        if isinstance(item, dict | list) and item:
            is_dict = isinstance(item, dict)
            pad = "" if indent is None else "\n" + indent * (lv + 1)
            close = "}" if is_dict else "]"
            todo.append((True, close if indent is None else "\n" + indent * lv + close, lv))
            entries: list[tuple[Any, Any]] = list(item.items()) if isinstance(item, dict) else list(enumerate(item))
            first = "{" if is_dict else "["
            for n in range(len(entries) - 1, -1, -1):
                k, v = entries[n]
                lead = (first if n == 0 else ",") + pad
                if is_dict:
                    lead += quote(str(k)) + key_sep
                if isinstance(v, dict | list) and v:
                    todo.append((False, v, lv + 1))
                    todo.append((True, lead, lv))
                else:  # a leaf is written with its lead at once
                    todo.append((True, lead + _leaf(v, raw_strings), lv))
        else:
            out.append(_leaf(item, raw_strings))
    return "".join(out)


def _leaf(value: Any, raw_strings: bool) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value, raw_strings)


def dump(value: Any, level: int = 0, indent: str = "  ", raw_strings: bool = False) -> str:
    """MarshalIndent layout. `raw_strings`: write JStr as read (Go copies a RawMessage such as app_state)."""
    return _write(value, level, indent, raw_strings)


def compact(value: Any) -> str:
    """One line, no spaces (json.Compact): how a value is shown inside an error message."""
    return _write(value, 0, None, False)
