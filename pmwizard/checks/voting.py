"""A validator's vote, in the order that keeps it safe: wait until this node has the election (Planetmint's
CLI crashes on an election its node does not have), check it says what the bundle says, check this node's key
is one of its voters and that it is still ongoing, approve through Planetmint's CLI, then wait until the vote
is in the chain and report that, whatever Planetmint printed. The CLI and the wizard both call `cast_vote`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmwizard.checks import network as net
from pmwizard.checks.elections import key_file_pub, wait_for, wait_for_election
from pmwizard.checks.planetmint_cli import PlanetmintCli, approve
from pmwizard.core.election import Bundle, Election, bundle_mismatches


@dataclass(frozen=True)
class VoteOutcome:
    election_id: str
    election: Election | None
    state: net.ElectionState | None = None
    voted: bool = False
    refused: str = ""  # why nothing was (or could be) voted; empty when it went through or nothing was needed
    result: str = ""
    planetmint_said: str = ""
    planetmint_claimed_success: bool | None = None

    @property
    def ok(self) -> bool:
        return not self.refused

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"election_id": self.election_id, "voted": self.voted,
                               "election": self.election.to_json() if self.election else None}
        if self.state is not None:
            doc.update(status=self.state.status, explanation=self.state.why, approved_power=self.state.tally.approved)
        if self.refused:
            doc["refused"] = self.refused
        if self.result:
            doc["result"] = self.result
        if self.planetmint_claimed_success is not None:
            doc.update(planetmint_said=self.planetmint_said, planetmint_claimed_success=self.planetmint_claimed_success)
        return doc


async def cast_vote(rpc: str, api: str, election_id: str, bundle: Bundle | None, key_file: Path,
                    cli: PlanetmintCli | None, wait: float = 60.0, timeout: float = 5.0) -> VoteOutcome:
    """`cli` None: every check, no vote (the CLI's --check)."""
    e = await wait_for_election(api, election_id, wait)
    if e is None:
        return VoteOutcome(election_id, None, refused=f"this node ({api}) does not have election {election_id} after "
                           f"{wait:g} s: it may still be on its way (try again), or it was never committed")
    problems = bundle_mismatches(bundle, e) if bundle is not None else []
    if problems:
        return VoteOutcome(election_id, e, refused="the chain's election is not what the bundle says: "
                           + "; ".join(problems))
    voter = key_file_pub(key_file)
    current = await net.planetmint_validators(api, timeout)
    state = await net.election_state(rpc, api, e, current, timeout)
    if voter not in e.voters:
        return VoteOutcome(election_id, e, state, refused=f"this node's key ({key_file}) is not one of this "
                           "election's voters: only the validators of the set it was called with can approve it")
    if state.status == "concluded":
        return VoteOutcome(election_id, e, state, voted=voter in state.tally.votes,
                           result=f"nothing to do: the election is concluded ({state.why})")
    if state.status != "ongoing":
        return VoteOutcome(election_id, e, state, refused=f"the election is {state.status}: {state.why}")
    if voter in state.tally.votes:
        return VoteOutcome(election_id, e, state, voted=True, result=f"this node already voted ({state.why})")
    if cli is None:
        return VoteOutcome(election_id, e, state, result=f"would approve with power {e.voters[voter]} ({state.why})")
    claimed, words = await asyncio.to_thread(approve, cli, election_id, key_file)

    async def counted() -> net.ElectionState | None:
        s = await net.election_state(rpc, api, e, current, timeout)
        return s if voter in s.tally.votes else None

    after = await wait_for(counted, wait, every=1.0)
    if after is None:
        return VoteOutcome(election_id, e, state, refused=f"the vote is not in the chain after {wait:g} s "
                           f"(Planetmint said: {words})", planetmint_said=words, planetmint_claimed_success=claimed)
    note = "" if claimed else f" (Planetmint printed \"{words}\", but the vote is in the chain)"
    return VoteOutcome(election_id, e, after, voted=True, result=f"vote committed: {after.why}; the election is "
                       f"{after.status}{note}", planetmint_said=words, planetmint_claimed_success=claimed)
