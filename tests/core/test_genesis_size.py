"""One size rule for genesis files (issue 17): what `genesis new`/`add` write, every reader accepts, and a
20,000-validator network with the longest card names fits; above the rule, writing is refused as reading is."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from pmwizard.core import genesis
from pmwizard.core.cards import MAX_NAME, MemberCard
from pmwizard.core.genesis import MAX_GENESIS_BYTES, add_to_genesis, new_genesis, read_genesis
from pmwizard.errors import InputError


def cards(n: int, long_names: bool = False) -> list[MemberCard]:
    out = []
    for i in range(n):
        pub = base64.b64encode(hashlib.sha256(b"validator %d" % i).digest()).decode()
        # the longest names: MAX_NAME characters, nearly all 4 bytes in UTF-8 (distinct after NFKC)
        name = f"{i:05d}" + "\U0001d538" * (MAX_NAME - 5) if long_names else f"member {i}"
        out.append(MemberCard(name, f"n{i}.example.org", 26656, pub,
                              hashlib.sha256(b"node %d" % i).digest()[:20].hex()))
    return out


def test_twenty_thousand_validators_with_the_longest_names_are_written_and_read(tmp_path: Path) -> None:
    text = new_genesis(cards(20000, long_names=True), chain_id="big", genesis_time="2026-11-23T08:00:00Z")
    size = len(text.encode())
    assert 10 * 2**20 < size <= MAX_GENESIS_BYTES, size
    path = tmp_path / "genesis.json"
    path.write_text(text)
    report = read_genesis(path)
    assert report.valid, report.errors
    assert len(report.validators) == 20000 and report.validators[-1].name.startswith("19999")


def test_above_the_rule_writing_is_refused_as_reading_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = new_genesis(cards(3), chain_id="c", genesis_time="2026-11-23T08:00:00Z")
    path = tmp_path / "genesis.json"
    path.write_text(small)
    limit = len(small.encode()) + 50  # one more validator (about 260 bytes) crosses it
    monkeypatch.setattr(genesis, "MAX_GENESIS_BYTES", limit)
    assert read_genesis(path).valid
    with pytest.raises(InputError, match="above the"):
        new_genesis(cards(4), chain_id="c", genesis_time="2026-11-23T08:00:00Z")
    with pytest.raises(InputError, match="above the"):
        add_to_genesis(small.encode(), cards(4)[3:], str(path))
    path.write_text(small + " " * 51)  # the same document, one byte above the rule
    with pytest.raises(InputError, match="larger than"):
        read_genesis(path)
