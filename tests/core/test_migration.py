"""A concluded chain migration's new genesis.json, built from what Planetmint's own code prints for
`planetmint election show ID` (its `append_chain_migration_status`, run in Planetmint's venv over a chain that
awaits migration), then held to pmwizard's genesis rules."""

from __future__ import annotations

import base64
import json
import subprocess

import pytest

from pmwizard.core.election import b58_to_b64
from pmwizard.core.genesis import validate_genesis
from pmwizard.core.migration import migration_genesis, parse_election_show
from pmwizard.errors import InputError
from tests.support.require import planetmint_venv

SHOW = """
import json, types
from transactions.common.crypto import generate_key_pair
from planetmint.application.validator import Validator
ks = [generate_key_pair() for _ in range(3)]
class Chain:  # Planetmint's state after migrate_abci_chain(): a new chain, not yet synced
    def get_latest_abci_chain(self):
        return {"chain_id": "test-chain-migrated-at-height-41", "is_synced": False, "height": 42}
    def get_latest_block(self):
        return {"height": 41, "app_hash": "ab" * 32}
powers = {k.public_key: 10 + i for i, k in enumerate(ks)}
node = types.SimpleNamespace(models=Chain(), get_validator_dict=lambda: powers)
text = Validator.append_chain_migration_status(node, "status=concluded")
print(json.dumps({"text": text, "keys": [k.public_key for k in ks]}))
"""


def planetmint_show() -> tuple[str, list[str]]:
    py = str(planetmint_venv() / "bin" / "python3")
    r = subprocess.run([py, "-c", SHOW], capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    doc = json.loads(r.stdout)
    return doc["text"], doc["keys"]


def old_genesis(keys_b64: list[str]) -> bytes:
    vals = ",".join(json.dumps({"pub_key": {"type": "tendermint/PubKeyEd25519", "value": k}, "power": "10",
                                "name": f"m{i}"}) for i, k in enumerate(keys_b64))
    return ('{"genesis_time": "2026-01-01T00:00:00Z", "chain_id": "test-chain", "initial_height": "1", '
            '"consensus_params": {"block": {"max_bytes": "2000000", "max_gas": "-1", "time_iota_ms": "1000"}, '
            '"evidence": {"max_age_num_blocks": "100000", "max_age_duration": "172800000000000", "max_bytes": '
            '"1048576"}, "validator": {"pub_key_types": ["ed25519"]}, "version": {}}, '
            f'"validators": [{vals}], "app_hash": ""}}').encode()


def test_builds_the_new_genesis_from_planetmints_election_show() -> None:
    text, keys = planetmint_show()
    logged = f"[2026-12-02 03:00:00] [INFO] (planetmint.commands.planetmint) {text} (MainProcess - pid: 7)"
    for shown in (text, logged):
        m = parse_election_show(shown, "show.txt")
        assert m.ready and m.chain_id == "test-chain-migrated-at-height-41" and m.app_hash == "ab" * 32
        b64 = [b58_to_b64(k, "t", "k") for k in keys]
        assert m.validators == tuple((k, 10 + i) for i, k in enumerate(b64))
    new = migration_genesis(m, old_genesis(b64), "show.txt", "genesis.json", "2026-12-02T03:00:00Z")
    report = validate_genesis(new.encode(), "new")
    assert report.valid, report.errors
    assert report.chain_id == "test-chain-migrated-at-height-41"
    assert [(v.pub_key, v.power, v.name) for v in report.validators] == [(k, 10 + i, f"m{i}") for i, k in
                                                                         enumerate(b64)]
    other = old_genesis(b64).replace(b'"test-chain"', b'"other-chain"')
    with pytest.raises(InputError, match=r"genesis\.json: chain_id: is 'other-chain', but the "
                                         r"migration moves chain 'test-chain'"):
        migration_genesis(m, other, "show.txt", "genesis.json")
    doc = json.loads(new)
    assert doc["app_hash"] == "AB" * 32 and doc["consensus_params"]["block"]["max_bytes"] == "2000000"
    assert all(len(base64.b64decode(v["pub_key"]["value"])) == 32 for v in doc["validators"])


@pytest.mark.parametrize(("text", "match"), [
    ("status=ongoing", "'ongoing', not concluded"),
    ("status=concluded", "no pending new chain"),
    ("hello", "no `status=` line"),
    ("INFO:planetmint.commands.planetmint:public_key=AAAA\npower=5\nnode_id=ab\nstatus=concluded",
     "node_id: this is a validator election"),
    ("status=concluded\nchain_id=c-migrated-at-height-3\napp_hash=zz\nvalidators=[]", "validators: is not a list"),
    ("status=concluded\nchain_id=c-migrated-at-height-3\napp_hash=zz\nvalidators=["
     '{"pub_key": {"value": "1111"}, "power": 1}]', "validators\\[0\\].pub_key.value"),
])
def test_refuses_what_is_not_a_concluded_migration(text: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        migration_genesis(parse_election_show(text, "show.txt"), old_genesis([]), "show.txt")
