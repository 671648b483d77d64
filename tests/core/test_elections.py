"""The validator-set arithmetic (1/3 cap, 2/3 to conclude, >2/3 to commit), election transactions and the
election bundle. Elections and votes are made by Planetmint's own `transactions` library (its venv), so the
parser reads what Planetmint writes, not what this test imagines."""

from __future__ import annotations

import base64
import json
import subprocess

import nacl.signing
import pytest

from pmwizard.core.election import (
    Bundle,
    Tally,
    b58_to_b64,
    b58encode,
    b64_to_b58,
    bundle_mismatches,
    election_from_tx,
    election_public_key,
    read_bundle,
    status_of,
    tally_from_txs,
)
from pmwizard.core.valset import Member, ValidatorSet, largest_allowed_power, power_needed, power_to_commit
from pmwizard.errors import InputError
from tests.support.require import planetmint_venv


def key() -> str:
    return base64.b64encode(bytes(nacl.signing.SigningKey.generate().verify_key)).decode()


@pytest.mark.parametrize(("total", "cap"), [(1, 0), (3, 0), (4, 1), (30, 9), (39, 12), (40, 13), (300, 99)])
def test_the_cap_is_the_largest_power_planetmint_accepts(total: int, cap: int) -> None:
    assert largest_allowed_power(total) == cap
    assert cap < (1 / 3) * total and not (cap + 1 < (1 / 3) * total)


@pytest.mark.parametrize(("total", "needed", "commit"), [(30, 20, 21), (39, 26, 27), (40, 27, 27), (4, 3, 3)])
def test_election_threshold_and_commit_threshold(total: int, needed: int, commit: int) -> None:
    assert power_needed(total) == needed and power_to_commit(total) == commit


def test_liveness_margin_and_the_set_after_a_change() -> None:
    a, b, c, d = key(), key(), key(), key()
    three = ValidatorSet.of([Member(a, 10), Member(b, 10), Member(c, 10)])
    assert three.liveness()["every_member_must_stay_up"] is True
    four = three.after(d, 9, name="dora")
    assert four.total == 39 and four.find(d).name == "dora"
    assert four.liveness() == {"total_power": 39, "power_to_commit": 27, "power_that_may_be_down": 12,
                               "members_that_may_be_down": 1, "every_member_must_stay_up": False}
    assert four.after(d, 0).same_powers(three) and four.after(d, 0).sha256() == three.sha256()
    assert three.after(a, 5).find(a).power == 5


def _planetmint(script: str) -> list[dict]:
    py = str(planetmint_venv() / "bin" / "python3")
    r = subprocess.run([py, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout)


MAKE = """
import json, base64
from transactions.common.crypto import generate_key_pair
from transactions.types.elections.validator_election import ValidatorElection
from transactions.types.elections.vote import Vote
from transactions.types.elections.validator_utils import election_id_to_public_key
from transactions.common.transaction import Transaction
ks = [generate_key_pair() for _ in range(3)]
new = base64.b64encode(bytes(32 * [7])).decode()
data = [{"data": {"public_key": {"value": base64.b64decode(new).hex().upper(), "type": "ed25519-base16"},
                  "power": 9, "node_id": "ab" * 20}}]
e = ValidatorElection.generate([ks[0].public_key], [([k.public_key], 10) for k in ks], data, None)
e = e.sign([ks[0].private_key])
t = Transaction.from_dict(e.to_dict(), True)
inputs = [i for i in t.to_inputs() if ks[1].public_key in i.owners_before]
v = Vote.generate(inputs, [([election_id_to_public_key(e.id)], 10)], [e.id]).sign([ks[1].private_key])
print(json.dumps([e.to_dict(), v.to_dict(), {"keys": [k.public_key for k in ks],
                  "election_pk": election_id_to_public_key(e.id)}]))
"""


def test_reads_elections_and_votes_made_by_planetmint() -> None:
    election_tx, vote_tx, extra = _planetmint(MAKE)
    e = election_from_tx(election_tx, "api")
    voters = [b58_to_b64(k, "test", "key") for k in extra["keys"]]
    assert e.voters == dict.fromkeys(voters, 10) and e.proposer == voters[0]
    assert e.pub_key == base64.b64encode(bytes(32 * [7])).decode() and e.power == 9 and e.node_id == "ab" * 20
    assert election_public_key(e.election_id) == extra["election_pk"]
    assert [b64_to_b58(v) for v in voters] == extra["keys"]
    t = tally_from_txs(e, [election_tx, vote_tx], "api")
    assert t.votes == {voters[1]: 10} and e.needed == 20
    assert status_of(e, t, e.set_before())[0] == "ongoing"
    assert status_of(e, Tally({voters[1]: 10, voters[2]: 10}), e.set_before())[0] == "concluded"
    changed = e.set_before().after(voters[2], 5)
    assert status_of(e, t, changed)[0] == "inconclusive"
    with pytest.raises(InputError, match="operation: 'VOTE' is not an election"):
        election_from_tx(vote_tx, "api")


def test_b58_leading_zeros_round_trip() -> None:
    raw = bytes(2) + bytes(range(30))
    assert b58encode(raw).startswith("11")
    assert base64.b64decode(b58_to_b64(b58encode(raw), "t", "k")) == raw


def _bundle(e_id: str = "ab" * 32) -> dict:
    return {"pmwizard": "election-bundle/1", "election_id": e_id, "chain_id": "c", "action": "add",
            "member": {"pub_key": key(), "power": 9, "node_id": "cd" * 20, "name": "dora"}, "proposer": key(),
            "set_before": [], "set_after": [], "set_after_sha256": "00"}


@pytest.mark.parametrize(("change", "field"), [
    ({"pmwizard": "member-card/1"}, "pmwizard"), ({"election_id": "xyz"}, "not an election id"),
    ({"member": {"pub_key": "k", "power": -1}}, "member.power"), ({"action": "grow"}, "action"),
    ({"set_after": {}}, "set_after")])
def test_a_bad_bundle_is_refused_naming_the_field(change: dict, field: str) -> None:
    doc = {**_bundle(), **change}
    with pytest.raises(InputError, match=field):
        read_bundle(json.dumps(doc).encode(), "bundle.json")
    with pytest.raises(InputError, match="not JSON"):
        read_bundle(b"\xff{", "bundle.json")


def test_a_bundle_that_differs_from_the_chain_is_named() -> None:
    election_tx, _vote, _extra = _planetmint(MAKE)
    e = election_from_tx(election_tx, "api")
    good = Bundle(e.election_id, "c", "add", {"pub_key": e.pub_key, "power": 9, "node_id": e.node_id},
                  e.proposer, [], [], e.set_after().sha256())
    assert bundle_mismatches(good, e) == []
    bad = Bundle(e.election_id, "c", "add", {"pub_key": e.pub_key, "power": 12, "node_id": e.node_id},
                 e.proposer, [], [], e.set_after().sha256())
    assert bundle_mismatches(bad, e) == ["power: bundle 12, chain 9"]
    assert read_bundle(good.text().encode(), "b").election_id == e.election_id


MIGRATION = """
import json
from transactions.common.crypto import generate_key_pair
from transactions.types.elections.chain_migration_election import ChainMigrationElection
ks = [generate_key_pair() for _ in range(4)]
e = ChainMigrationElection.generate([ks[0].public_key], [([k.public_key], 10) for k in ks], [{"data": {}}], None)
print(json.dumps([e.sign([ks[0].private_key]).to_dict()]))
"""


def test_reads_a_chain_migration_election_made_by_planetmint() -> None:
    (tx,) = _planetmint(MIGRATION)
    e = election_from_tx(tx, "api")
    assert e.kind == "CHAIN_MIGRATION_ELECTION" and e.total == 40 and e.needed == 27
    assert e.to_json()["member"] is None
    assert status_of(e, Tally(), e.set_before()) == ("ongoing", "0 of 40 power approved; 27 needed")
