"""config.toml edits: only the intended lines change, every comment stays, tomllib reads the values in the
right sections; values typed by a person cannot break the file; Tendermint's own grammar for log_level."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path

import pytest

from pmwizard.core.peers import PeerAddress
from pmwizard.core.tmconfig import (
    ConfigChoices,
    edit_config,
    validate_laddr,
    validate_log_level,
    validate_moniker,
)
from pmwizard.errors import InputError

DEFAULT = (Path(__file__).parents[1] / "fixtures/tendermint/default-config-v0.34.24.toml").read_text()
PEERS = (PeerAddress("AB" * 20, "::1", 26656), PeerAddress("cd" * 20, "node.example.org", 26656))
INTENDED = {"moniker", "log_level", "laddr", "persistent_peers", "addr_book_strict", "send_rate", "recv_rate",
            "allow_duplicate_ip", "recheck", "create_empty_blocks"}


def test_default_config_round_trip_touches_only_intended_lines() -> None:
    choices = ConfigChoices(moniker="node-1", log_level="consensus:debug,*:info", peers=PEERS, p2p_port=26700,
                            rpc_laddr="tcp://127.0.0.1:26800", private_peers=True)
    new, changed = edit_config(DEFAULT, choices, "config.toml")
    old_lines, new_lines = DEFAULT.splitlines(), new.splitlines()
    assert len(old_lines) == len(new_lines), "no line added or removed: every key existed"
    diff = [ln for ln in difflib.unified_diff(old_lines, new_lines, lineterm="", n=0) if ln[:1] in "+-"]
    touched = {ln[1:].split("=")[0].strip() for ln in diff if not ln.startswith(("+++", "---"))}
    assert touched == INTENDED
    assert [ln for ln in old_lines if ln.startswith("#")] == [ln for ln in new_lines if ln.startswith("#")]
    doc = tomllib.loads(new)
    assert doc["moniker"] == "node-1" and doc["log_level"] == "consensus:debug,*:info"
    assert doc["p2p"]["persistent_peers"] == "abababababababababababababababababababab@[::1]:26656," + \
        "cd" * 20 + "@node.example.org:26656"
    assert doc["p2p"]["laddr"] == "tcp://0.0.0.0:26700" and doc["rpc"]["laddr"] == "tcp://127.0.0.1:26800"
    assert doc["p2p"]["send_rate"] == doc["p2p"]["recv_rate"] == 102400000
    assert doc["p2p"]["addr_book_strict"] is False and doc["p2p"]["allow_duplicate_ip"] is True
    assert doc["mempool"]["recheck"] is False and doc["consensus"]["create_empty_blocks"] is False
    assert doc["consensus"]["timeout_commit"] == "1s", "untouched keys keep their values"
    assert any("addr_book_strict = false: peers have private" in c for c in changed)
    again, changed_again = edit_config(new, choices, "config.toml")
    assert again == new and changed_again == [], "a second run is a no-op"


def test_public_peers_leave_addr_book_strict_alone() -> None:
    new, _ = edit_config(DEFAULT, ConfigChoices(peers=PEERS[1:]), "config.toml")
    doc = tomllib.loads(new)
    assert doc["p2p"]["addr_book_strict"] is True and doc["p2p"]["allow_duplicate_ip"] is False


def test_missing_keys_go_into_their_section_before_the_next_banner() -> None:
    text = ('moniker = "x"\n\n[p2p]\n# listen here\nladdr = "tcp://0.0.0.0:26656"\n\n'
            "#####\n### Mempool ###\n#####\n[mempool]\nsize = 5000\n")
    new, _ = edit_config(text, ConfigChoices(), "config.toml")
    doc = tomllib.loads(new)
    assert doc["p2p"]["send_rate"] == 102400000 and doc["mempool"] == {"size": 5000, "recheck": False}
    assert doc["consensus"]["create_empty_blocks"] is False
    assert new.index("recv_rate") < new.index("### Mempool ###"), "the banner still introduces [mempool]"


def test_minimal_config_when_there_is_none() -> None:
    new, _ = edit_config(None, ConfigChoices(moniker="m"), "config.toml")
    doc = tomllib.loads(new)
    assert doc["moniker"] == "m" and doc["proxy_app"] == "tcp://127.0.0.1:26658"
    assert doc["p2p"]["laddr"] == "tcp://0.0.0.0:26656" and doc["rpc"]["laddr"] == "tcp://127.0.0.1:26657"


@pytest.mark.parametrize("moniker", ['say "hi"', "a#b", "k = v", "a,b@c", "back\\slash", "'single'", "x" * 200])
def test_typed_monikers_round_trip_exactly(moniker: str) -> None:
    new, _ = edit_config(DEFAULT, ConfigChoices(moniker=moniker), "config.toml")
    assert tomllib.loads(new)["moniker"] == moniker


@pytest.mark.parametrize("moniker", ["", "   ", "two\nlines", "tab\there", "caf\u00e9", "\x00", "x" * 300])
def test_monikers_tendermint_would_refuse(moniker: str) -> None:
    with pytest.raises(InputError, match="moniker"):
        validate_moniker(moniker)


@pytest.mark.parametrize("level", ["info", "debug", "error", "none", "consensus:debug,*:error", "p2p:none",
                                   "*:info,state:debug"])
def test_log_levels_tendermint_accepts(level: str) -> None:
    assert validate_log_level(level) == level


@pytest.mark.parametrize(("level", "words"), [("warn", "no warn level"), ("", "empty"), ("INFO", "given 'INFO'"),
                                              ("consensus", "given 'consensus'"), ("a:b:c", "pairs"),
                                              (":info", "pairs"), ("*:info,", "pairs")])
def test_log_levels_tendermint_refuses(level: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        validate_log_level(level)
    assert words in str(err.value)


def test_rpc_laddr_and_broken_files() -> None:
    assert validate_laddr("tcp://127.0.0.1:26657") and validate_laddr("unix:///run/tm.sock")
    for bad in ("127.0.0.1:26657", "tcp://127.0.0.1:99999", "http://x:1"):
        with pytest.raises(InputError, match="laddr"):
            validate_laddr(bad)
    with pytest.raises(InputError, match="p2p"):
        edit_config('p2p = "not a table"\n', ConfigChoices(), "config.toml")
