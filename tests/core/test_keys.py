"""Key files in Tendermint's formats: read, checked (length, second half = public key), generated, converted."""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from pmwizard.core import keys
from pmwizard.errors import InputError

FIXTURES = Path(__file__).parents[1] / "fixtures/tendermint/keys"


def make_home(tmp_path: Path, *names: str) -> Path:
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "data").mkdir()
    where = {"priv_validator_key.json": "config", "node_key.json": "config",
             "priv_validator_state.json": "data", "legacy_priv_validator.json": "config"}
    for n in names:
        dest = home / where[n] / ("priv_validator.json" if n.startswith("legacy") else n)
        shutil.copy(FIXTURES / n, dest)
        dest.chmod(0o600)
    return home


def test_reads_the_fixture_keys(tmp_path: Path) -> None:
    home = make_home(tmp_path, "priv_validator_key.json", "node_key.json", "priv_validator_state.json")
    ident = keys.load_identity(home)
    assert ident.address == "A3258DCBF45DCA0DF052981870F2D1441A36D145"
    assert ident.pub_key == "AT/+aaL1eB0477Mud9JMm8Sh8BIvOYlPGC9KkIUmFaE="
    node_seed_pub = base64.b64decode(json.loads((FIXTURES / "node_key.json").read_text())["priv_key"]["value"])
    assert ident.node_id == keys.node_id_of(node_seed_pub[32:]) and ident.node_id == ident.node_id.lower()
    assert ident.files["config/priv_validator_key.json"] == "found"
    doc = ident.to_json()
    assert set(doc) >= {"home", "address", "pub_key", "node_id", "files"}
    assert "priv" not in json.dumps(doc).replace("priv_validator", "")


def _tamper(path: Path, value: str) -> None:
    doc = json.loads(path.read_text())
    doc["priv_key"]["value"] = value
    path.write_text(json.dumps(doc))


def test_second_half_must_be_the_public_key(tmp_path: Path) -> None:
    home = make_home(tmp_path, "priv_validator_key.json", "node_key.json")
    raw = base64.b64decode(json.loads((home / keys.VALIDATOR_KEY).read_text())["priv_key"]["value"])
    other = base64.b64decode(json.loads((home / keys.NODE_KEY).read_text())["priv_key"]["value"])
    _tamper(home / keys.VALIDATOR_KEY, base64.b64encode(raw[:32] + other[32:]).decode())
    with pytest.raises(InputError) as err:
        keys.load_identity(home)
    assert "priv_validator_key.json: priv_key.value" in str(err.value) and "second half" in str(err.value)


@pytest.mark.parametrize(("value", "words"), [
    (base64.b64encode(b"x" * 32).decode(), "64"), ("not base64!", "base64"),
    (base64.b64encode(b"x" * 65).decode(), "64")])
def test_bad_private_key_values(tmp_path: Path, value: str, words: str) -> None:
    home = make_home(tmp_path, "priv_validator_key.json", "node_key.json")
    _tamper(home / keys.NODE_KEY, value)
    with pytest.raises(InputError) as err:
        keys.load_identity(home)
    assert "node_key.json: priv_key.value" in str(err.value) and words in str(err.value)


def test_missing_and_junk_files_name_the_file(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    with pytest.raises(InputError, match=r"priv_validator_key\.json.*identity init"):
        keys.load_identity(home)
    (home / keys.VALIDATOR_KEY).write_bytes(b"\xff\xfe junk")
    with pytest.raises(InputError, match=r"priv_validator_key\.json: is not UTF-8"):
        keys.load_identity(home)


def test_init_creates_tendermint_formats_with_safe_modes(tmp_path: Path) -> None:
    home = tmp_path / "new"
    plan = keys.init_plan(home)
    preview = plan.diff()
    assert "private key: content not shown" in preview
    for c in plan.changes:
        if c.secret:
            secret = json.loads(c.new)["priv_key"]["value"]
            assert secret not in preview and secret[:20] not in preview
    plan.apply()
    assert stat.S_IMODE((home / "config").stat().st_mode) == 0o700
    for rel in (keys.VALIDATOR_KEY, keys.NODE_KEY, keys.VALIDATOR_STATE):
        assert stat.S_IMODE((home / rel).stat().st_mode) == 0o600
    assert json.loads((home / keys.VALIDATOR_STATE).read_text()) == {"height": "0", "round": 0, "step": 0}
    node_text = (home / keys.NODE_KEY).read_text()
    assert "\n" not in node_text and node_text.startswith('{"priv_key":{"type":"tendermint/PrivKeyEd25519"')
    vk = json.loads((home / keys.VALIDATOR_KEY).read_text())
    assert list(vk) == ["address", "pub_key", "priv_key"]
    keys.load_identity(home)  # reads back and checks


def test_second_init_changes_no_byte(tmp_path: Path) -> None:
    home = tmp_path / "h"
    keys.init_plan(home).apply()
    before = {p: p.read_bytes() for p in home.rglob("*") if p.is_file()}
    plan = keys.init_plan(home)
    assert plan.pending == [] and plan.apply() == []
    assert {p: p.read_bytes() for p in home.rglob("*") if p.is_file()} == before


def test_new_node_key_only_keeps_validator_state(tmp_path: Path) -> None:
    home = make_home(tmp_path, "priv_validator_key.json")
    plan = keys.init_plan(home)
    assert [c.path.name for c in plan.pending] == ["node_key.json"], "no zero state for an existing validator key"


def test_existing_key_file_is_never_overwritten_even_if_it_appears_after_preview(tmp_path: Path) -> None:
    from pmwizard.errors import WriteRefused

    home = tmp_path / "h"
    plan = keys.init_plan(home)
    (home / "config").mkdir(parents=True)
    (home / keys.NODE_KEY).write_text("theirs")
    with pytest.raises(WriteRefused):
        plan.apply()
    assert (home / keys.NODE_KEY).read_text() == "theirs"


def test_legacy_conversion_keeps_key_and_signing_state(tmp_path: Path) -> None:
    home = make_home(tmp_path, "legacy_priv_validator.json", "node_key.json")
    legacy = (home / keys.LEGACY_VALIDATOR).read_bytes()
    ident = keys.load_identity(home)
    assert ident.address == "1D8089FAFDFAE4A637F3D616E17B92905FA2D91D" and "pre-0.28" in ident.warnings[0]
    keys.convert_legacy_plan(home).apply()
    backup = keys.keep_legacy_as_backup(home)
    assert backup is not None and backup.read_bytes() == legacy and not (home / keys.LEGACY_VALIDATOR).exists()
    state = json.loads((home / keys.VALIDATOR_STATE).read_text())
    assert state["height"] == "5" and state["round"] == 0 and state["step"] == 3 and state["signature"]
    assert keys.load_identity(home).address == ident.address
    assert not keys.load_identity(home).warnings


def test_permission_warnings(tmp_path: Path) -> None:
    home = make_home(tmp_path, "priv_validator_key.json", "node_key.json", "priv_validator_state.json")
    os.chmod(home / keys.NODE_KEY, 0o644)
    os.chmod(home / "config", 0o777)
    warnings = keys.load_identity(home).warnings
    assert any("chmod 600" in w for w in warnings) and any("chmod 700" in w for w in warnings)


def test_signatures_verify_with_the_public_keys(tmp_path: Path) -> None:
    from nacl.signing import VerifyKey

    home = tmp_path / "h"
    keys.init_plan(home).apply()
    ident = keys.load_identity(home)
    sig = keys.sign_as_validator(home, b"hello")
    VerifyKey(base64.b64decode(ident.pub_key)).verify(b"hello", sig)
    VerifyKey(base64.b64decode(ident.node_pub_key)).verify(b"hi", keys.sign_as_node(home, b"hi"))
