"""The coordinator journey with Pilot: cards imported from a folder holding an invalid card and a conflicting
pair (shown as such, side by side), a member rejected and one renamed, settings, genesis.json written and
valid with exactly the accepted members; a cancelled write leaves the disk unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from textual.widgets import DataTable, Input

from pmwizard.core import cards, keys
from pmwizard.core.genesis import read_genesis
from pmwizard.tui.app import make_app
from tests.tui.conftest import press, screen_text, settle, type_into


def folder_of_cards(sandbox, tmp_path: Path) -> Path:
    folder = tmp_path / "incoming"
    shutil.copytree(sandbox.cards_dir, folder)
    (folder / "broken.json").write_text('{"pmwizard": "member-card/1", "name": "Mallory", "hostname": "x y"}')
    twin_home = tmp_path / "twin"
    keys.init_plan(twin_home).apply()
    alice = cards.read_cards(sandbox.cards_dir / "alice.demo.test.json")[0].card
    # Alice's host:port
    twin = cards.export_card(twin_home, "alice.demo.test", name="Alice again", p2p_port=alice.p2p_port)
    (folder / "twin.json").write_text(cards.card_text(twin))
    return folder


async def test_coordinator_journey(sandbox, tmp_path: Path) -> None:
    folder = folder_of_cards(sandbox, tmp_path)
    out = tmp_path / "network"
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")  # the second journey
        await settle(pilot)
        assert "Form a network: step 1 of 4" in screen_text(app)
        await type_into(pilot, "#path", str(folder))
        await press(pilot, "#add-path")
        text = screen_text(app)
        assert "5 card(s): 4 valid, 1 invalid" in text
        assert "INVALID broken.json" in text and "hostname" in text
        assert "CONFLICT (hostname)" in text and "Alice again" in text and "Alice's Node Shop" in text
        await pilot.press("ctrl+n")
        await settle(pilot)

        # review: the conflict blocks Next until one of the pair is rejected
        assert "conflict" in screen_text(app)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert "step 2 of 4" in screen_text(app)
        table = app.screen.query_one(DataTable)
        rows = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        twin_row = rows.index("Alice again")
        table.move_cursor(row=twin_row)
        await press(pilot, "#toggle")
        bob_row = rows.index("Bob Validators")
        table.move_cursor(row=bob_row)
        await settle(pilot)
        await type_into(pilot, "#name", "Bob B.V.")
        await type_into(pilot, "#power", "20")
        await pilot.press("enter")  # Enter in the power box applies, as the Apply button does
        assert "3 member(s) accepted" in screen_text(app)
        await pilot.press("ctrl+n")
        await settle(pilot)

        # settings: chain id and the CNAME plan for a consortium domain
        await type_into(pilot, "#chain", "demo-net")
        await type_into(pilot, "#domain", "consortium.demo.test")
        assert "node1.consortium.demo.test. 3600 IN CNAME alice.demo.test." in screen_text(app)
        await pilot.press("ctrl+n")
        await settle(pilot)

        # write: cancel first (nothing on disk), then write
        await type_into(pilot, "#out", str(out))
        await press(pilot, "#write")
        await press(pilot, "#cancel")
        assert not out.exists()
        await press(pilot, "#write")
        await press(pilot, "#write")
        await press(pilot, "#cancel")
        report = read_genesis(out / "genesis.json")
        assert report.valid and report.chain_id == "demo-net"
        assert [v.name for v in report.validators] == ["Alice's Node Shop", "Bob B.V.", "Carol Consortium"]
        assert [v.power for v in report.validators] == [10, 20, 10]
        assert f"SHA-256 {report.sha256}" in screen_text(app)
        assert len((out / "peers.txt").read_text().strip().split(",")) == 3
        bob_port = cards.read_cards(sandbox.cards_dir / "bob.demo.test.json")[0].card.p2p_port
        assert json.loads((out / "cards" / f"bob.demo.test-{bob_port}.json").read_text())["name"] == "Bob B.V."
        assert app.screen.query_one("#out", Input).value == str(out)


async def test_names_and_paths_are_shown_as_written_never_as_markup(sandbox, tmp_path: Path) -> None:
    """A member named like Textual markup appears letter for letter in the table, and a folder name with
    brackets in the preview's checkbox: nothing a card or a path says is styled, hidden or an error."""
    folder = tmp_path / "in"
    folder.mkdir()
    home = tmp_path / "odd"
    keys.init_plan(home).apply()
    odd = cards.export_card(home, "odd.demo.test", name="[b]Mallory[/b] [red]")
    (folder / "odd.json").write_text(cards.card_text(odd))
    out = tmp_path / "out [x]"
    app = make_app(sandbox.context)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_journey("coordinator")
        await settle(pilot)
        await type_into(pilot, "#path", str(folder))
        await press(pilot, "#add-path")
        await pilot.press("ctrl+n")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert str(table.get_row_at(0)[1]) == "[b]Mallory[/b] [red]"
        assert "[b]Mallory[/b] [red]" in "".join(table.render_line(y).text for y in range(4))
        await pilot.press("ctrl+n")
        await settle(pilot)
        await type_into(pilot, "#chain", "odd-net")
        await pilot.press("ctrl+n")
        await settle(pilot)
        await type_into(pilot, "#out", str(out))
        await press(pilot, "#write")
        labels = [str(c.label) for c in app.screen.query("Checkbox")]
        assert any(f"write {out}/genesis.json" in label for label in labels), labels
        await press(pilot, "#cancel")
        assert not out.exists()
