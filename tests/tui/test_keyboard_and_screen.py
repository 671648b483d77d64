"""Keyboard and screen (issue 11.4/11.5) with Pilot at 80x24: the help screen, palette journeys that replace
each other, the step list, focus that shows in a 16-colour terminal, no invisible focus stops, path
completion by Tab, one wrong card removed alone, an IP and a P2P port for the member, look-alike names
refused, a failing check that says so, and a demo that leaves the real undo journal alone."""

from __future__ import annotations

import json
from pathlib import Path

from textual.containers import ScrollableContainer
from textual.widgets import Button, Input, OptionList

from pmwizard.core import cards, keys
from pmwizard.tui.app import make_app
from pmwizard.tui.screens.help import HelpScreen
from pmwizard.tui.screens.home import HomeScreen
from tests.tui.conftest import press, screen_text, settle, type_into


async def open_member(pilot) -> None:
    await pilot.press("enter")
    await settle(pilot)


async def test_f1_opens_a_help_screen_with_the_step_first(sandbox) -> None:
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_member(pilot)
        app.screen.show_step(2)  # domain
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert text.index("The A record must point") < text.index("Ctrl+N"), "the step's text comes first"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen) and "domain and DNS" in screen_text(app)
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press("f1")  # F1 closes it too
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_journeys_replace_each_other(sandbox) -> None:
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_member(pilot)
        depth = len(app.screen_stack)
        app.open_journey("coordinator")
        await settle(pilot)
        app.open_journey("troubleshoot")
        await settle(pilot)
        assert len(app.screen_stack) == depth
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_step_list_shows_where_you_are_and_what_is_done(sandbox) -> None:
    keys.init_plan(sandbox.context.home).apply()
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_member(pilot)
        await pilot.press("ctrl+n", "ctrl+n")
        await settle(pilot)
        listing = str(app.screen.query_one("#step-list").render())
        assert listing.splitlines()[:4] == ["✓ Node home", "✓ Software", "> Domain", "  Certificate"]
        assert "Summary" in listing


async def test_focus_shows_in_a_16_colour_theme(sandbox) -> None:
    """The focused button is reverse video, which a 16-colour terminal (or NO_COLOR) still shows."""
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_member(pilot)
        app.screen.query_one("#create", Button).focus()
        await pilot.pause()
        assert app.screen.query_one("#create", Button).rich_style.reverse, "focus must not rely on colour only"


async def test_no_invisible_focus_stops(sandbox) -> None:
    """Every Tab stop of every member step is a widget a person sees as able to take the cursor: no bare
    panel (a scroll container without anything to scroll), no empty list."""
    keys.init_plan(sandbox.context.home).apply()
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_member(pilot)
        journey = app.screen
        for index in range(len(journey.step_classes)):
            journey.show_step(index)
            await settle(pilot)
            for widget in journey.focus_chain:
                assert widget.display and widget.visible, widget
                if isinstance(widget, OptionList):
                    assert widget.option_count > 0, f"step {index + 1}: an empty list takes the cursor: {widget}"
                elif isinstance(widget, ScrollableContainer) and not isinstance(widget, Input):
                    assert widget.max_scroll_y > 0 or widget.max_scroll_x > 0, f"step {index + 1}: {widget}"


async def test_tab_completes_a_path(sandbox, tmp_path: Path) -> None:
    (tmp_path / "genesis-from-coordinator.json").write_text("{}")
    keys.init_plan(sandbox.context.home).apply()
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_member(pilot)
        app.screen.show_step(5)  # join
        await settle(pilot)
        box = app.screen.query_one("#genesis", Input)
        box.focus()
        await pilot.press(*f"{tmp_path}/gen")
        await settle(pilot)
        await pilot.press("tab")
        await settle(pilot)
        assert box.value == f"{tmp_path}/genesis-from-coordinator.json" and box.has_focus
        await pilot.press("tab")  # nothing more to complete: Tab moves on
        await pilot.pause()
        assert not box.has_focus


async def test_one_wrong_card_is_removed_alone(sandbox, tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    for card in sandbox.cards_dir.glob("*.json"):
        (folder / card.name).write_text(card.read_text())
    (folder / "wrong.json").write_text('{"pmwizard": "member-card/1", "name": "Wrong"}')
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")
        await settle(pilot)
        await type_into(pilot, "#path", str(folder))
        await press(pilot, "#add-path")
        journey = app.screen
        assert len(journey.checks) == 4
        wrong = next(i for i, c in enumerate(journey.checks) if not c.valid)
        listing = journey.query_one("#cards", OptionList)
        listing.focus()
        listing.highlighted = wrong
        await pilot.press("delete")
        await settle(pilot)
        assert len(journey.checks) == 3 and all(c.valid for c in journey.checks)
        assert journey.accepted == [True, True, True]
        assert "removed wrong.json; 3 card(s) left" in screen_text(app)


async def test_member_takes_an_ip_and_a_p2p_port(sandbox) -> None:
    keys.init_plan(sandbox.context.home).apply()
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_member(pilot)
        app.screen.show_step(2)
        await settle(pilot)
        await type_into(pilot, "#hostname", "192.168.1.20")
        assert "an IP address (LAN / test network)" in screen_text(app)
        await type_into(pilot, "#p2p-port", "26666")
        assert "peers dial 192.168.1.20:26666" in screen_text(app)
        await press(pilot, "#check")
        assert "nothing to look up in DNS" in screen_text(app)
        assert app.screen.state.p2p_port == 26666 and app.screen.state.hostname == "192.168.1.20"
        await type_into(pilot, "#p2p-port", "70000")
        assert "P2P port: a number 1-65535" in screen_text(app)
        await type_into(pilot, "#p2p-port", "26666")
        app.screen.show_step(4)  # the card carries both
        await settle(pilot)
        card = app.screen.step.card
        assert (card.hostname, card.p2p_port) == ("192.168.1.20", 26666)
    saved = json.loads((sandbox.context.state_dir / "progress" / "member.json").read_text())
    assert saved["p2p_port"] == 26666


async def test_look_alike_member_names_are_refused(sandbox) -> None:
    keys.init_plan(sandbox.context.home).apply()
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_member(pilot)
        app.screen.state.hostname = "node.demo.test"
        app.screen.show_step(4)
        await settle(pilot)
        app.screen.query_one("#name", Input).value = "Аlice Node"  # a Cyrillic А
        await settle(pilot)
        assert "mixes look-alike alphabets" in screen_text(app) and app.screen.step.card is None
        assert "look-alike" in (app.screen.step.leave_problem() or "")
    try:
        cards.check_name("Раypal", "card.json")
    except Exception as exc:
        assert "card.json: name" in str(exc) and "look-alike" in str(exc)
    else:
        raise AssertionError("a mixed-alphabet name was accepted")


async def test_a_check_that_raises_says_so(sandbox, monkeypatch) -> None:
    """An exception inside a worker ends "checking ..." with the error, on the step and as a notification."""
    from pmwizard.checks import dnscheck

    async def broken(*args, **kwargs):
        raise RuntimeError("resolver exploded")

    monkeypatch.setattr(dnscheck, "check_dns", broken)
    keys.init_plan(sandbox.context.home).apply()
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_member(pilot)
        app.screen.show_step(2)
        await settle(pilot)
        await type_into(pilot, "#hostname", "node.demo.test")
        await press(pilot, "#check")
        text = screen_text(app)
        assert "could not finish: resolver exploded" in text and "checking node.demo.test ..." not in text
        assert any("resolver exploded" in str(n.message) for n in app._notifications)


async def test_the_demo_leaves_the_real_undo_journal_alone(sandbox, tmp_path: Path, monkeypatch) -> None:
    real_state = tmp_path / "real-state"
    monkeypatch.setenv("XDG_STATE_HOME", str(real_state))
    journal = real_state / "pmwizard" / "last-apply.json"
    journal.parent.mkdir(parents=True)
    journal.write_text('{"written": []}')
    before = journal.read_bytes()
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_member(pilot)
        app.screen.query_one("#create", Button).press()
        await settle(pilot)
        await press(pilot, "#write")
        await press(pilot, "#cancel")
    assert keys.load_identity(sandbox.context.home).node_id
    assert journal.read_bytes() == before and sorted(p.name for p in journal.parent.iterdir()) == ["last-apply.json"]
    demo_journal = json.loads((sandbox.context.state_dir / "last-apply.json").read_text())
    assert any(e["path"].endswith("node_key.json") for e in demo_journal["written"])


def test_typed_state_round_trips_and_its_mapping_view_refuses_unknown_keys() -> None:
    from pmwizard.tui.state import MemberState

    state = MemberState.from_progress({"hostname": "a.example", "p2p_port": "not a port", "step": 3, "x": 1})
    assert (state.hostname, state.p2p_port, state.step) == ("a.example", 26656, 3)
    view = state.as_mapping()
    view["p2p_port"] = "26666"
    assert state.p2p_port == 26666 and view.get("hostname") == "a.example" and view.get("nope", "d") == "d"
    try:
        view["p2p_prot"] = 1
    except KeyError as exc:
        assert "not a field of MemberState" in str(exc)
    else:
        raise AssertionError("a misspelt key was accepted")
    saved = state.progress()
    assert saved["p2p_port"] == 26666 and not any(k.startswith("_") for k in saved)
