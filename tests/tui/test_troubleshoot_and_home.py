"""Troubleshoot streams the doctor's findings into the list; the home screen, help, command palette, a light
theme and NO_COLOR all work at 80x24."""

from __future__ import annotations

from pmwizard.core import cards
from pmwizard.tui.app import make_app
from pmwizard.tui.screens.troubleshoot import TroubleshootScreen
from tests.tui.conftest import press, screen_text, settle, type_into


async def test_troubleshoot_one_host(sandbox) -> None:
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TroubleshootScreen)
        await type_into(pilot, "#target", "node.demo.test")
        await press(pilot, "#run")
        text = screen_text(app)
        assert "tls.chain ok" in text and "dns.a private" in text and "net.p2p" in text
        assert "done:" in text
        # a failed finding opens in place with its fix (keyboard: focus the list, move, Enter) and closes again
        from textual.widgets import OptionList

        listing = app.screen.query_one("#findings")
        options = listing.query_one(OptionList)
        failed = next(i for i, f in enumerate(listing.findings) if f.status.value == "fail")
        row = options.get_option_index(str(failed))  # rows are problems first once the run ended
        options.focus()
        options.highlighted = row
        await pilot.press("enter")
        await settle(pilot)
        opened = str(options.get_option_at_index(row).prompt)
        assert opened.startswith("▼ FAIL") and f"fix: {listing.findings[failed].fix}" in opened
        assert f"target: {listing.findings[failed].target}" in opened
        await pilot.press("enter")
        await settle(pilot)
        assert "fix:" not in str(options.get_option_at_index(row).prompt)


async def test_troubleshoot_every_member_of_a_card_folder(sandbox) -> None:
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.open_journey("troubleshoot")
        await settle(pilot)
        await type_into(pilot, "#target", "")
        screen.query_one("#cards").value = str(sandbox.cards_dir)
        await press(pilot, "#run")
        text = screen_text(app)
        for host in ("alice.demo.test", "bob.demo.test", "carol.demo.test"):
            assert host in text
        # each member's P2P port proves the node ID of its card (the demo nodes answer the handshake)
        found = screen.query_one("#findings").findings
        handshakes = [f for f in found if f.check == "p2p.handshake"]
        assert sorted(f.code for f in handshakes) == ["ok"] * 3
        members = {c.card.node_id for c in cards.read_cards(sandbox.cards_dir)}
        assert {f.evidence["node_id"] for f in handshakes} == members


async def test_home_help_and_palette(sandbox) -> None:
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        text = screen_text(app)
        for name in ("Set up my node", "Form a network", "Troubleshoot"):
            assert name in text
        await pilot.press("f1")
        await pilot.pause()
        assert "Ctrl+N" in screen_text(app) and "Choose a journey" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Journey: Set up my node", "Journey: Form a network", "Journey: Troubleshoot"} <= set(titles)


async def test_light_theme_and_no_color(sandbox, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "textual-light"
        await pilot.press("enter")
        await settle(pilot)
        assert "step 1 of 10" in screen_text(app)
        assert app.theme == "textual-light"
