"""Member cards: exported signed by both keys, verified (signatures, node id, hostname, sizes), and the
unsigned three values accepted with a warning. Errors name the file and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmwizard.core import cards, keys
from pmwizard.core.cards import CardCheck, find_conflicts, parse_cards_text, read_cards


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    keys.init_plan(h).apply()
    return h


def export(home: Path, tmp_path: Path, **kw) -> Path:
    card = cards.export_card(home, kw.pop("hostname", "node.alice.example"), **kw)
    path = tmp_path / "card.json"
    path.write_text(cards.card_text(card))
    return path


def one(checks: list[CardCheck]) -> CardCheck:
    assert len(checks) == 1, checks
    return checks[0]


def test_exported_card_verifies_and_matches_the_keys(home: Path, tmp_path: Path) -> None:
    path = export(home, tmp_path, name="Alice's Node Shop")
    check = one(read_cards(path))
    assert check.valid and check.signed and not check.errors and not check.warnings
    ident = keys.load_identity(home)
    assert check.card.node_id == ident.node_id and check.card.pub_key == ident.pub_key
    assert check.card.address == ident.address
    doc = json.loads(path.read_text())
    assert list(doc) == ["pmwizard", "name", "hostname", "p2p_port", "pub_key", "node_id", "node_pub_key",
                         "created", "signatures"]
    assert str(check.card.peer) == f"{ident.node_id}@node.alice.example:26656"
    assert set(check.to_json()) == {"file", "valid", "signed", "errors", "warnings", "card"}


@pytest.mark.parametrize(("edit", "field"), [
    (lambda d: d.update(name="Mallory"), "signatures.validator"),
    (lambda d: d.update(hostname="evil.example"), "signatures.validator"),
    (lambda d: d.update(node_id="ab" * 20), "node_id"),
    (lambda d: d.update(node_id=d["node_id"].upper()), "node_id"),
    (lambda d: d["signatures"].update(node=d["signatures"]["validator"]), "signatures.node"),
    (lambda d: d["pub_key"].update(value="AAAA"), "pub_key.value"),
    (lambda d: d.update(hostname="not a host"), "hostname"),
    (lambda d: d.update(p2p_port=70000), "p2p_port"),
    (lambda d: d.update(p2p_port=True), "p2p_port"),
    (lambda d: d.update(name="two\nlines"), "name"),
    (lambda d: d.pop("node_pub_key"), "node_pub_key"),
    (lambda d: d.update(pmwizard="member-card/9"), "pmwizard"),
])
def test_tampered_or_malformed_cards_are_invalid_naming_the_field(home: Path, tmp_path: Path, edit, field) -> None:
    path = export(home, tmp_path)
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))
    check = one(read_cards(path))
    assert not check.valid and check.card is None
    assert f"{path}: {field}" in check.errors[0], check.errors


def test_unsigned_card_and_three_values_are_accepted_with_a_warning(home: Path, tmp_path: Path) -> None:
    card = cards.export_card(home, "node.alice.example")
    doc = card.to_json()
    del doc["signatures"]
    check = one(parse_cards_text(json.dumps(doc), "<pasted>"))
    assert check.valid and not check.signed and "unsigned" in check.warnings[0]
    three = one(parse_cards_text(cards.three_values(card) + "\n", "<pasted>"))
    assert three.valid and not three.signed and three.card.node_id == card.node_id
    peer_form = one(parse_cards_text(f"{card.node_id.upper()}@10.0.0.5:26700 {card.pub_key}", "m.txt"))
    assert peer_form.valid and peer_form.card.node_id == card.node_id and peer_form.card.p2p_port == 26700
    assert any("uppercase" in w for w in peer_form.warnings)


@pytest.mark.parametrize(("text", "words"), [
    ("node.example.org AT/+aaL1eB0477Mud9JMm8Sh8BIvOYlPGC9KkIUmFaE=", "node_id: missing"),
    ("node.example.org " + "ab" * 20, "pub_key: missing"),
    ("a.example.org b.example.org AT/+aaL1eB0477Mud9JMm8Sh8BIvOYlPGC9KkIUmFaE= " + "ab" * 20, "given 2 times"),
    ("deadbeef@1.2.3.4:26656 AT/+aaL1eB0477Mud9JMm8Sh8BIvOYlPGC9KkIUmFaE=", "invalid hex length"),
    ('{"pmwizard": "member-card/1", "name": ', "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ("   ", "empty"),
])
def test_bad_pasted_text(text: str, words: str) -> None:
    checks = parse_cards_text(text, "<pasted>")
    assert checks and not any(c.valid for c in checks)
    assert words in checks[0].errors[0] and "<pasted>" in checks[0].errors[0]


def test_size_limit_and_folder_reading(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "a.json").write_text(cards.card_text(cards.export_card(home, "a.example.org")))
    (folder / "b.txt").write_text("x" * (64 * 1024 + 1))
    (folder / "notes.md").write_text("ignored")
    checks = read_cards(folder)
    assert [c.valid for c in checks] == [True, False]
    assert "64 KiB" in checks[1].errors[0]


def test_conflicts_side_by_side(home: Path, tmp_path: Path) -> None:
    a = cards.export_card(home, "a.example.org", name="Alice")
    other = tmp_path / "other"
    keys.init_plan(other).apply()
    b = cards.export_card(other, "a.example.org", name="alice ")
    c = cards.export_card(other, "a.example.org", name="Carol", p2p_port=26700)
    kinds = sorted(x.kind for x in find_conflicts([a, b]))
    assert kinds == ["hostname", "name"]
    assert sorted(x.kind for x in find_conflicts([b, c])) == ["node_id", "pub_key"], "same host, other port is fine"


def test_export_refuses_bad_input(home: Path) -> None:
    from pmwizard.errors import InputError

    with pytest.raises(InputError, match="--hostname: hostname"):
        cards.export_card(home, "bad_host.example")
    with pytest.raises(InputError, match="--p2p-port"):
        cards.export_card(home, "ok.example.org", p2p_port=0)
