"""~/.planetmint merged, not replaced, and read back by the real `planetmint show-config`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pmwizard.errors import InputError
from pmwizard.render.planetmint_config import PlanetmintSettings, config_text, merged_config
from tests.support.require import planetmint_venv


def test_merge_keeps_other_keys_and_sets_ours() -> None:
    existing = {
        "log": {"level_console": "debug", "file": "/var/log/pm.log"},
        "database": {"backend": "tarantool_db", "host": "db.local", "port": 3301, "login": "guest"},
        "wsserver": {"advertised_host": "old.example", "custom": 1},
        "server": {"workers": 4},
        "keypair": {"public": "pub", "private": "kept-as-is"},
        "ünïcode": "✓",
    }
    doc = merged_config(existing, PlanetmintSettings(hostname="node.example.org"))
    assert doc["log"] == existing["log"] and doc["keypair"] == existing["keypair"] and doc["ünïcode"] == "✓"
    assert doc["database"] == {"backend": "tarantool_db", "host": "localhost", "port": 3303, "login": "guest"}
    assert doc["server"] == {"workers": 4, "bind": "localhost:9984"}
    assert doc["wsserver"]["custom"] == 1
    assert (doc["wsserver"]["advertised_scheme"], doc["wsserver"]["advertised_host"],
            doc["wsserver"]["advertised_port"], doc["wsserver"]["port"]) == ("wss", "node.example.org", 443, 9985)
    assert doc["tendermint"] == {"host": "localhost", "port": 26657}
    assert existing["database"]["port"] == 3301  # the input is not modified


def test_other_backend_options_are_dropped() -> None:
    doc = merged_config({"database": {"backend": "localmongodb", "replicaset": "rs0"}},
                        PlanetmintSettings(hostname="node.example.org"))
    assert doc["database"] == {"backend": "tarantool_db", "host": "localhost", "port": 3303}


def test_international_hostname_is_advertised_in_ascii() -> None:
    doc = merged_config(None, PlanetmintSettings(hostname="nöde.example.org"))
    assert doc["wsserver"]["advertised_host"] == "xn--nde-sna.example.org"


@pytest.mark.parametrize("content, field", [
    (b"{not json", None), (b"[1, 2]", None), (b'{"wsserver": "x"}', "wsserver"), (b"\xff\xfe", None)])
def test_unusable_existing_file_is_refused_by_name(tmp_path: Path, content: bytes, field: str | None) -> None:
    path = tmp_path / ".planetmint"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        config_text(path, PlanetmintSettings(hostname="node.example.org"))
    assert err.value.source == str(path) and err.value.field == field
    assert path.read_bytes() == content


def test_planetmint_reads_the_file(tmp_path: Path) -> None:
    venv = planetmint_venv()
    path = tmp_path / "planetmint.json"
    path.write_text(json.dumps({"log": {"level_console": "warning"}}))
    path.write_text(config_text(path, PlanetmintSettings(hostname="node1.example.org")))
    out = subprocess.run([str(venv / "bin" / "planetmint"), "-c", str(path), "show-config"], check=False,
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    shown = json.loads(out.stdout)
    assert shown["database"]["backend"] == "tarantool_db" and shown["database"]["port"] == 3303
    assert shown["server"]["bind"] == "localhost:9984"
    assert shown["wsserver"]["advertised_scheme"] == "wss"
    assert shown["wsserver"]["advertised_host"] == "node1.example.org"
    assert shown["wsserver"]["advertised_port"] == 443
    assert shown["log"]["level_console"] == "warning"
