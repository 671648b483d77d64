"""Text from outside is shown with its control and bidi characters visible, never raw."""

from __future__ import annotations

import shlex

from hypothesis import given
from hypothesis import strategies as st

from pmwizard.core.shown import for_shell, visible

RAW = [chr(c) for c in range(0x20)] + ["\x7f", "\x9b", "\u202e", "\u2066", "\u200b", "\ufeff", "\u061c"]


def test_plain_text_unchanged() -> None:
    for s in ("node.alice.example", "Alice's Node Shop", "/home/op/.cometbft", "Zoë Müller", "東京"):
        assert visible(s) == s


def test_escape_sequences_become_visible() -> None:
    assert visible("\x1b]0;owned\x07name") == "\\x1b]0;owned\\x07name"
    assert visible("abc\u202edef") == "abc\\u202edef"
    assert visible("a\\x1b") == "a\\\\x1b"  # a literal backslash cannot pose as an escape


@given(st.text())
def test_nothing_unsafe_survives(s: str) -> None:
    out = visible(s)
    assert not any(ch in out for ch in RAW)
    assert out.isprintable()


def test_for_shell_quotes() -> None:
    assert shlex.split(for_shell("a b;rm -rf ~")) == ["a b;rm -rf ~"]
    assert "\x1b" not in for_shell("x\x1b[31m")
