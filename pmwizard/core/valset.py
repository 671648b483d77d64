"""A running network's validator set and the arithmetic operators get wrong: the 1/3 cap Planetmint puts on
a proposed power, the 2/3 of the power an election needs, and how much power may be down before blocks stop.

Planetmint refuses an upsert-validator election whose new power `p` satisfies `p >= (1/3) * total`
(InvalidPowerChange, validator.py), concludes an election when the votes reach `(2/3) * total` of the power
the election was called with, and Tendermint commits a block only with more than 2/3 of the power signing.
The comparisons below are written the way Planetmint writes them, floats included, so pmwizard's verdict
is Planetmint's verdict.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pmwizard.core.keys import validator_address


@dataclass(frozen=True)
class Member:
    """One validator: its public key (base64, as Tendermint shows it), power and what else is known."""

    pub_key: str
    power: int
    name: str = ""
    node_id: str = ""

    @property
    def address(self) -> str:
        return validator_address(base64.b64decode(self.pub_key))

    def to_json(self, total: int) -> dict[str, Any]:
        return {"name": self.name, "address": self.address, "pub_key": self.pub_key, "node_id": self.node_id,
                "power": self.power, "share": round(self.power / total, 4) if total else 0.0}


def largest_allowed_power(total: int) -> int:
    """The largest power an upsert-validator election may propose: Planetmint refuses `p >= (1/3) * total`."""
    p = max(int(total / 3) + 1, 0)
    while p > 0 and p >= (1 / 3) * total:
        p -= 1
    return p


def power_needed(total: int) -> int:
    """Votes an election with `total` power in its outputs needs: Planetmint concludes at `>= (2/3) * total`."""
    p = int(total * 2 / 3)
    while p < (2 / 3) * total:
        p += 1
    return p


def power_to_commit(total: int) -> int:
    """Tendermint commits a block when strictly more than 2/3 of the power signs."""
    return total * 2 // 3 + 1


@dataclass(frozen=True)
class ValidatorSet:
    """The set at one moment, sorted by power (largest first), then address, as Tendermint orders it."""

    members: tuple[Member, ...]

    @classmethod
    def of(cls, members: Iterable[Member]) -> ValidatorSet:
        return cls(tuple(sorted(members, key=lambda m: (-m.power, m.address))))

    @property
    def total(self) -> int:
        return sum(m.power for m in self.members)

    @property
    def cap(self) -> int:
        return largest_allowed_power(self.total)

    def find(self, key_or_node_id: str) -> Member | None:
        for m in self.members:
            if key_or_node_id in (m.pub_key, m.node_id, m.address) and key_or_node_id:
                return m
        return None

    def after(self, pub_key: str, power: int, name: str = "", node_id: str = "") -> ValidatorSet:
        """The set once an upsert-validator election for (pub_key, power) takes effect; power 0 removes."""
        rest = [m for m in self.members if m.pub_key != pub_key]
        old = self.find(pub_key)
        if power > 0:
            rest.append(replace(old, power=power) if old else Member(pub_key, power, name, node_id))
        return ValidatorSet.of(rest)

    def may_be_down(self) -> int:
        """The power that may be offline while blocks are still committed."""
        return self.total - power_to_commit(self.total)

    def liveness(self) -> dict[str, Any]:
        """What must stay up: the power needed to commit, and how many of the largest members may be down."""
        spare = self.may_be_down()
        down, used = 0, 0
        for m in self.members:  # the largest members first: the worst case
            if used + m.power > spare:
                break
            used += m.power
            down += 1
        return {"total_power": self.total, "power_to_commit": power_to_commit(self.total),
                "power_that_may_be_down": spare, "members_that_may_be_down": down,
                "every_member_must_stay_up": spare < min((m.power for m in self.members), default=0)}

    def to_json(self) -> list[dict[str, Any]]:
        return [m.to_json(self.total) for m in self.members]

    def sha256(self) -> str:
        """Fingerprint of the set (pub_key and power only, sorted): what voters compare."""
        doc = sorted([m.pub_key, m.power] for m in self.members)
        return hashlib.sha256(json.dumps(doc, separators=(",", ":")).encode()).hexdigest()

    def same_powers(self, other: ValidatorSet) -> bool:
        return {m.pub_key: m.power for m in self.members} == {m.pub_key: m.power for m in other.members}


def named(vs: ValidatorSet, names: dict[str, tuple[str, str]]) -> ValidatorSet:
    """The set with names and node ids filled in from cards or the genesis: {pub_key: (name, node_id)}."""
    out = []
    for m in vs.members:
        name, node_id = names.get(m.pub_key, ("", ""))
        out.append(replace(m, name=m.name or name, node_id=m.node_id or node_id))
    return ValidatorSet.of(out)


def describe_change(before: ValidatorSet, after: ValidatorSet) -> Sequence[str]:
    """One line per member whose power changes, for previews and the vote screen."""
    lines = []
    b = {m.pub_key: m for m in before.members}
    a = {m.pub_key: m for m in after.members}
    for key in sorted(set(a) | set(b)):
        old, new = b.get(key), a.get(key)
        who = (new or old).name or (new or old).address  # type: ignore[union-attr]
        if old is None and new is not None:
            lines.append(f"+ {who}: joins with power {new.power}")
        elif new is None and old is not None:
            lines.append(f"- {who}: leaves (power {old.power})")
        elif old and new and old.power != new.power:
            lines.append(f"~ {who}: power {old.power} -> {new.power}")
    return lines
