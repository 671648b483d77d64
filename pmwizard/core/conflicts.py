"""Conflicts among accepted member cards, kept current one card at a time.

`cards.find_conflicts` lists every conflicting pair; the coordinator's review table only needs how many there
are after each key press (accept, reject, rename), which this tally answers in O(1) per changed card instead
of O(N) per key press. The keys are find_conflicts' own (a test holds the two to the same count).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from pmwizard.core.cards import MemberCard

CONFLICT_KEYS: dict[str, Callable[[MemberCard], Any]] = {
    "pub_key": lambda c: c.pub_key,
    "node_id": lambda c: c.node_id,
    "hostname": lambda c: (c.hostname.lower(), c.p2p_port),
    "name": lambda c: unicodedata.normalize("NFKC", c.name).strip().casefold(),
}


class ConflictTally:
    """How many cards are accepted and how many conflicts they hold, as find_conflicts counts them: for each
    kind, every card after the first with the same key is one conflict."""

    def __init__(self, cards: Iterable[MemberCard] = ()) -> None:
        self._counts: dict[str, Counter] = {kind: Counter() for kind in CONFLICT_KEYS}
        self.members = 0
        self.conflicts = 0
        for card in cards:
            self.add(card)

    def add(self, card: MemberCard) -> None:
        self.members += 1
        for kind, key in CONFLICT_KEYS.items():
            counter, k = self._counts[kind], key(card)
            if counter[k]:
                self.conflicts += 1
            counter[k] += 1

    def remove(self, card: MemberCard) -> None:
        self.members -= 1
        for kind, key in CONFLICT_KEYS.items():
            counter, k = self._counts[kind], key(card)
            counter[k] -= 1
            if counter[k]:
                self.conflicts -= 1
            else:
                del counter[k]
