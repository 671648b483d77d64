"""The fourth journey, "Change the validator set", against the demo network on loopback (the same RPC and API
shapes as a real node, and a stand-in planetmint program): the set with its cap, a power over the cap refused
by the pre-flight, a valid proposal whose bundle is shown and written, the operator's vote, and the tally
streaming in until the election concludes and the new member is in the set."""

from __future__ import annotations

import json

from textual.widgets import Input

from pmwizard.tui.app import make_app
from pmwizard.tui.screens.validators import ValidatorSetScreen
from tests.tui.conftest import press, screen_text, settle


async def test_change_the_validator_set_journey(sandbox) -> None:
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "down", "down", "enter")  # the fourth journey, by keyboard
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ValidatorSetScreen)
        await press(pilot, "#show")
        text = screen_text(app)
        assert "Alice's Node Shop" in text and "largest power a change may propose: 9" in text
        assert "every member must stay up" in text and "no election in progress" in text

        screen.query_one("#power", Input).value = "10"
        await press(pilot, "#propose")
        found = screen.query_one("#preflight").findings
        over = [f for f in found if f.check == "election.power"]
        assert over[0].code == "over_cap" and "largest power allowed now is 9" in over[0].message
        assert "refused by the pre-flight" in screen_text(app)
        assert not sandbox.network._txs(), "nothing was proposed"

        screen.query_one("#power", Input).value = "9"
        await press(pilot, "#propose")
        assert {f.code for f in screen.query_one("#preflight").findings} >= {"ok", "none"}
        bundle_path = screen.query_one("#election", Input).value
        bundle = json.loads(open(bundle_path).read())
        assert bundle["member"]["name"] == "Dave's Data" and bundle["member"]["power"] == 9
        shown = screen.query_one("#bundle").text
        assert bundle["election_id"] in shown and "priv_key" not in shown

        await press(pilot, "#vote")  # votes as Alice, then follows the tally until it concludes
        text = screen_text(app)
        assert "concluded:" in text and "voted" in text, text[-800:]
        await press(pilot, "#show")
        text = screen_text(app)
        assert "Dave's Data" in text and "total power 39" in text
