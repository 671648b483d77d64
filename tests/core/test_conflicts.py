"""The review table's conflict tally counts what find_conflicts finds, after any sequence of accepting,
rejecting and renaming (issue 17: one card's change costs O(1), not a recount of all)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from pmwizard.core.cards import MemberCard, find_conflicts
from pmwizard.core.conflicts import ConflictTally

# few distinct values, so keys collide often (including names equal only after NFKC and case folding)
CARD = st.builds(MemberCard, name=st.sampled_from(["Alice", "alice ", "ＡＬＩＣＥ", "Bob", "Carol"]),
                 hostname=st.sampled_from(["a.example.org", "A.example.org", "b.example.org"]),
                 p2p_port=st.sampled_from([26656, 26657]), pub_key=st.sampled_from(["k1", "k2", "k3"]),
                 node_id=st.sampled_from(["n1", "n2"]))


@settings(max_examples=300, deadline=None)
@given(cards=st.lists(CARD, min_size=1, max_size=8),
       steps=st.lists(st.tuples(st.sampled_from(["toggle", "rename"]), st.integers(0, 7),
                                st.sampled_from(["Alice", "Dave", "bob"])), max_size=20))
def test_the_tally_counts_what_find_conflicts_finds(cards, steps) -> None:
    accepted = [True] * len(cards)
    tally = ConflictTally(cards)
    for op, at, new_name in steps:
        i = at % len(cards)
        if op == "toggle":
            accepted[i] = not accepted[i]
            (tally.add if accepted[i] else tally.remove)(cards[i])
        else:
            renamed = dataclasses.replace(cards[i], name=new_name)
            if accepted[i]:
                tally.remove(cards[i])
                tally.add(renamed)
            cards[i] = renamed
        members = [c for c, ok in zip(cards, accepted, strict=True) if ok]
        assert tally.members == len(members)
        assert tally.conflicts == len(find_conflicts(members))
