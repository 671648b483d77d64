"""The fourth journey, "Change the validator set", against the demo network on loopback (the same RPC and API
shapes as a real node, and a stand-in planetmint program): the set with its cap, a power over the cap refused
by the pre-flight, a valid proposal whose bundle is shown and written, the operator's vote, and the tally
streaming in until the election concludes and the new member is in the set."""

from __future__ import annotations

import json
from pathlib import Path

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
        assert {f.code for f in screen.query_one("#preflight").findings} >= {"ok", "none"}, screen_text(app)[-1500:]
        bundle_path = screen.query_one("#election", Input).value
        bundle = json.loads(Path(bundle_path).read_text())  # noqa: ASYNC240 - a small local file the step just wrote
        assert bundle["member"]["name"] == "Dave's Data" and bundle["member"]["power"] == 9
        shown = screen.query_one("#bundle").text
        assert bundle["election_id"] in shown and "priv_key" not in shown

        await press(pilot, "#vote")  # votes as Alice, then follows the tally until it concludes
        text = screen_text(app)
        assert "concluded:" in text and "voted" in text, text[-800:]
        await press(pilot, "#show")
        text = screen_text(app)
        assert "Dave's Data" in text and "total power 39" in text


async def test_member_joins_a_running_network_from_a_members_rpc(sandbox) -> None:
    """The join step takes the running network's genesis from a member's RPC (previewed; byte for byte the
    launched one), this node is told it joins as a full node, and the final step follows the catch-up."""
    from pmwizard.core import keys
    from pmwizard.tui.screens.diff_preview import DiffPreviewScreen

    ctx = sandbox.context
    keys.init_plan(ctx.home).apply()
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        app.screen.show_step(5)  # join (after keys, software, domain, certificate, card)
        await settle(pilot)
        app.screen.query_one("#network-rpc", Input).value = sandbox.network.url
        await press(pilot, "#from-rpc")
        assert isinstance(app.screen, DiffPreviewScreen)
        await press(pilot, "#write")
        await press(pilot, "#cancel")
        written = ctx.state_dir / "genesis-from-network.json"
        assert app.screen.query_one("#genesis", Input).value == str(written)
        launched = json.dumps(sandbox.network.genesis)
        assert json.loads(written.read_text()) == json.loads(launched)
        text = screen_text(app)
        assert "valid: chain demo-chain, 3 validators" in text and "NOT in it" in text
        app.screen.show_step(8)  # the final check
        await settle(pilot)
        step = app.screen.step
        step.query_one("#own-rpc", Input).value = sandbox.network.url
        assert step.query_one("#network-rpc", Input).value == sandbox.network.url, "carried over from join"
        await press(pilot, "#follow-catchup")
        assert "height 12 of 12: caught up" in screen_text(app)
