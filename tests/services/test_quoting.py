"""Values typed by a person cannot break Monit, NGINX, Lua or JSON files: quoted exactly, or refused with
the reason. Lua literals are read back by the real tarantool."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pmwizard.errors import InputError
from pmwizard.render.monit import MonitSetup, monitrc_text
from pmwizard.render.nginx import NginxSite, site_text
from pmwizard.render.planetmint_config import PlanetmintSettings, merged_config
from pmwizard.render.quoting import checked_hostname, lua_string, monit_path, nginx_string
from tests.support.require import require_binary

HOSTILE = ['a"b', "a'b", "a\nb", "a;b", "a{b}", "a#b", "a\\b", "a b", "a$b", "ünï", "a\x00b", "a\rb", "\t"]


@pytest.mark.parametrize("name", [f"node{c}.example.org" for c in ['"', "'", "\n", ";", "{", "}", "#", "\\",
                                                                  " ", "$", "\x00", "/", "_"]])
def test_hostnames_with_syntax_characters_are_refused_with_a_reason(name: str) -> None:
    with pytest.raises(InputError) as err:
        checked_hostname(name)
    assert err.value.field == "hostname" and len(err.value.message) > 20


@pytest.mark.parametrize("name, ascii_form", [("Node.Example.ORG", "node.example.org"),
                                              ("nöde.example.org", "xn--nde-sna.example.org"),
                                              ("node.example.org.", "node.example.org")])
def test_hostnames_come_out_as_lowercase_ascii(name: str, ascii_form: str) -> None:
    assert checked_hostname(name) == ascii_form


def test_empty_hostname_is_refused() -> None:
    with pytest.raises(InputError, match="empty"):
        checked_hostname("  ")


@pytest.mark.parametrize("value", HOSTILE)
def test_monit_paths_refuse_anything_monit_cannot_read(value: str) -> None:
    with pytest.raises(InputError, match="monitrc"):
        monit_path(f"/srv/{value}", "--output")


def test_monit_paths_must_be_absolute() -> None:
    with pytest.raises(InputError, match="absolute"):
        monit_path("relative/dir", "--output")
    assert monit_path("/home/op/.planetmint-monit", "--output") == "/home/op/.planetmint-monit"


def test_monitrc_refuses_a_folder_with_blanks() -> None:
    setup = MonitSetup(Path("/home/op/my node"), "/usr/bin/planetmint", "/usr/bin/tendermint", Path("/h"))
    with pytest.raises(InputError, match="blanks"):
        monitrc_text(setup)


@pytest.mark.parametrize("value", ['a"b', "a'b", "a;b", "a{b}", "a#b", "a\\b", "a b", "ünï", "\\\"", "a\\"])
def test_nginx_strings_are_quoted(value: str) -> None:
    quoted = nginx_string(value, "--cert")
    assert quoted.startswith('"') and quoted.endswith('"')
    inner = quoted[1:-1]
    # every quote and backslash inside is escaped: undoing the escapes gives the value back
    out, i = "", 0
    while i < len(inner):
        if inner[i] == "\\":
            out += inner[i + 1]
            i += 2
        else:
            assert inner[i] != '"'
            out += inner[i]
            i += 1
    assert out == value


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\x00b", "a\tb", "a$b"])
def test_nginx_strings_refuse_control_characters_and_variables(value: str) -> None:
    with pytest.raises(InputError) as err:
        nginx_string(value, "--cert")
    assert err.value.field == "--cert"


def test_nginx_site_refuses_a_hostile_consortium_name() -> None:
    with pytest.raises(InputError) as err:
        site_text(NginxSite(hostname="node.example.org", names=("evil.org; return 200",)))
    assert err.value.field == "--name"


def test_json_values_are_escaped_by_the_encoder() -> None:
    doc = merged_config({"note": 'a"b\n\\{#;ü'}, PlanetmintSettings(hostname="node.example.org"))
    assert json.loads(json.dumps(doc))["note"] == 'a"b\n\\{#;ü'


def test_lua_literals_read_back_by_tarantool(tmp_path: Path) -> None:
    tarantool = require_binary("tarantool")
    values = [*HOSTILE, "]]", "--", "\\\\\"", "é\u2028😀", "".join(chr(i) for i in range(1, 128))]
    script = tmp_path / "echo.lua"
    script.write_text("local v = {" + ", ".join(lua_string(v) for v in values) + "}\n"
                      "for _, s in ipairs(v) do io.write(#s, ':', s) end\nos.exit(0)\n")
    out = subprocess.run([tarantool, str(script)], check=False, capture_output=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    expected = b"".join(str(len(v.encode())).encode() + b":" + v.encode() for v in values)
    assert out.stdout == expected
