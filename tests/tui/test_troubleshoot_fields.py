"""Troubleshoot (issue 11.3) with Pilot: problems first with counts once a run ends, a label over every
field, a path typed in the host field taken as cards, and a CA file that makes a private CA's servers
trusted."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from pmwizard.checks.finding import Status
from pmwizard.tui.app import make_app
from pmwizard.tui.widgets.findings import RANK
from tests.tui.conftest import press, screen_text, settle


async def open_troubleshoot(pilot) -> None:
    await pilot.press("down", "down", "enter")
    await settle(pilot)


async def test_problems_first_with_counts_and_labelled_fields(sandbox) -> None:
    ctx = sandbox.context
    ca = ctx.ca_file
    ctx.ca_file = None  # the demo CA comes from the field below, as an operator would give it
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_troubleshoot(pilot)
        text = screen_text(app)
        for label in ("Host name to check", "Member cards", "genesis.json, for the chain", "CA certificate file"):
            assert label in text
        screen = app.screen
        screen.query_one("#target", Input).value = "node.demo.test"
        screen.query_one("#ca-file", Input).value = ca
        await press(pilot, "#run")
        listing = screen.query_one("#findings")
        rows = listing.query_one(OptionList)
        order = [listing.findings[int(rows.get_option_at_index(i).id)].status for i in range(rows.option_count)]
        assert order == sorted(order, key=RANK.__getitem__) and order[0] == Status.FAIL and Status.PASS in order
        summary = str(listing.query_one(".summary").render())
        assert summary.index("FAIL") < summary.index("warn") < summary.index("ok")
        chain = next(f for f in listing.findings if f.check == "tls.chain")
        assert chain.code == "ok", "the CA file given on screen is what the TLS check trusts"


async def test_a_path_in_the_host_field_is_taken_as_cards(sandbox) -> None:
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_troubleshoot(pilot)
        screen = app.screen
        screen.query_one("#target", Input).value = str(sandbox.cards_dir)
        await press(pilot, "#run")
        assert screen.query_one("#cards", Input).value == str(sandbox.cards_dir)
        assert screen.query_one("#target", Input).value == ""
        text = screen_text(app)
        for host in ("alice.demo.test", "bob.demo.test", "carol.demo.test"):
            assert host in text


async def test_a_missing_ca_file_is_named(sandbox, tmp_path) -> None:
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_troubleshoot(pilot)
        app.screen.query_one("#ca-file", Input).value = str(tmp_path / "nope.pem")
        await press(pilot, "#run")
        assert f"{tmp_path / 'nope.pem'}: CA file: no such file" in screen_text(app)
