"""The member journey end to end with Pilot, on the demo sandbox: keys created through the diff preview, DNS
and TLS checked live on loopback, the card saved, the genesis verified, config written, the doctor run.
A write the operator cancels leaves the disk unchanged."""

from __future__ import annotations

import json
import stat
import tomllib
from pathlib import Path

from textual.widgets import Checkbox

from pmwizard.core import cards, keys
from pmwizard.core.genesis import fingerprint, new_genesis
from pmwizard.tui.app import make_app
from pmwizard.tui.screens.diff_preview import DiffPreviewScreen
from tests.tui.conftest import press, screen_text, settle, type_into


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} if folder.exists() else {}


async def test_member_journey_end_to_end(sandbox) -> None:
    ctx = sandbox.context
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Set up my node" in screen_text(app)
        await pilot.press("enter")  # the first journey
        await settle(pilot)
        assert "step 1 of 10" in screen_text(app) and "No usable keys yet" in screen_text(app)

        # 1. keys: the preview hides key content; cancelling writes nothing
        await press(pilot, "#create")
        assert isinstance(app.screen, DiffPreviewScreen)
        assert "private key: content not shown" in screen_text(app)
        await press(pilot, "#cancel")
        assert tree(ctx.home) == {}, "a cancelled preview writes nothing"
        await press(pilot, "#create")
        await press(pilot, "#write")
        await press(pilot, "#cancel")  # now labelled Close
        ident = keys.load_identity(ctx.home)
        assert stat.S_IMODE((ctx.home / keys.NODE_KEY).stat().st_mode) == 0o600
        assert ident.node_id in screen_text(app)
        await pilot.press("ctrl+n")
        await settle(pilot)

        # 2. software: the demo's stand-ins found with their versions, their paths in the fields
        text = screen_text(app)
        assert "software.planetmint ok: planetmint 2.5.3 at" in text and "software.tendermint ok" in text
        assert app.screen.query_one("#planetmint-bin").value == ctx.demo_programs["planetmint"]
        await pilot.press("ctrl+n")
        await settle(pilot)

        # 3. domain: typed name validated live, DNS checked against the sandbox's server
        await type_into(pilot, "#hostname", "bad_name.demo.test")
        assert "letters, digits" in screen_text(app)
        await type_into(pilot, "#hostname", "node.demo.test")
        await press(pilot, "#check")
        text = screen_text(app)
        # a private address is a warning: the verdict never says "looks right" above one
        assert "dns.a private" in text and "DNS for node.demo.test answers, with 1 warning(s)" in text
        assert "looks right" not in text
        await pilot.press("ctrl+n")
        await settle(pilot)

        # 4. certificate: live HTTPS check on the sandbox's TLS server
        await press(pilot, "#live")
        text = screen_text(app)
        assert "tls.chain ok" in text and "the certificate looks right" in text
        await pilot.press("ctrl+n")
        await settle(pilot)

        # 5. share: the card, saved through the preview, verifies
        await type_into(pilot, "#name", "Demo Node")
        await press(pilot, "#save")
        await press(pilot, "#write")
        await press(pilot, "#cancel")
        card_file = ctx.home / "member-card.json"
        check = cards.read_cards(card_file)[0]
        assert check.valid and check.signed and check.card.name == "Demo Node"
        assert check.card.node_id in screen_text(app)
        await pilot.press("ctrl+n")
        await settle(pilot)

        # 6. join: the coordinator's genesis (this node + the three demo members)
        members = [c.card for c in cards.read_cards(sandbox.cards_dir)]
        genesis = sandbox.root / "genesis.json"
        genesis.write_text(new_genesis([check.card, *members], chain_id="demo-chain"))
        await type_into(pilot, "#genesis", str(genesis))
        await type_into(pilot, "#cards", str(sandbox.cards_dir))
        text = screen_text(app)
        assert "valid: chain demo-chain, 4 validators" in text and "this node's validator is in it" in text
        assert fingerprint(genesis.read_bytes()) in text
        # each peer verified over Tendermint's handshake: the demo members' ports prove their node keys
        await press(pilot, "#check-peers")
        text = screen_text(app)
        assert "all 3 peer(s) are the nodes their cards name, on chain demo-chain" in text
        for m in members:
            assert f"is node {m.node_id} on chain demo-chain" in text
        assert check.card.node_id not in " ".join(f.target for f in app.screen.query_one("#peer-findings").findings)
        await pilot.press("ctrl+n")
        await settle(pilot)

        # 7. configure: cancel first (nothing written), then write
        await type_into(pilot, "#moniker", "demo-node")
        await press(pilot, "#preview")
        before = tree(ctx.home)
        await press(pilot, "#cancel")
        assert tree(ctx.home) == before
        await press(pilot, "#preview")
        assert isinstance(app.screen, DiffPreviewScreen)
        await press(pilot, "#write")
        await press(pilot, "#cancel")
        config = tomllib.loads((ctx.home / "config/config.toml").read_text())
        assert config["moniker"] == "demo-node"
        assert len(config["p2p"]["persistent_peers"].split(",")) == 3
        assert (ctx.home / "config/genesis.json").read_bytes() == genesis.read_bytes()
        await pilot.press("ctrl+n")
        await settle(pilot)

        # the service files hold the program paths of the software step; Monit supervises Tarantool too
        monitrc = (ctx.services_folder / "monitrc").read_text()
        assert "check process tarantool" in monitrc and "depends on tarantool" in monitrc
        assert ctx.demo_programs["planetmint"] in (ctx.services_folder / "monit_script").read_text()

        # 8. start: the exact commands shown
        assert f"-c {ctx.services_folder / 'monitrc'} -d 1" in screen_text(app)
        await pilot.press("ctrl+n")
        await settle(pilot)

        # 9. the doctor on this node (nothing runs here: its findings say so, with fixes)
        await press(pilot, "#run")
        text = screen_text(app)
        assert "net.p2p" in text and "findings:" in text
        # the handshake and RPC are held to this home's node key and the genesis just installed
        assert app.screen.step.this_node() == (check.card.node_id, "demo-chain")
        await pilot.press("ctrl+n")
        await settle(pilot)

        # 10. the summary: every file written with its backup, the card, the fingerprint; Finish goes home
        text = screen_text(app)
        assert "Files written this run" in text and str(ctx.home / "config/config.toml") in text
        assert f"{ctx.home / 'config/config.toml'}  (new)" in text and str(card_file) in text
        assert fingerprint(genesis.read_bytes()) in text
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert "Choose a journey" in screen_text(app)


async def test_skipping_one_file_writes_only_the_other(sandbox) -> None:
    ctx = sandbox.context
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        await press(pilot, "#create")
        app.screen.query_one("#accept-0", Checkbox).value = False  # skip the validator key
        await press(pilot, "#write")
        assert not (ctx.home / keys.VALIDATOR_KEY).exists() and (ctx.home / keys.NODE_KEY).exists()


async def test_progress_survives_quit_and_resume(sandbox) -> None:
    ctx = sandbox.context
    keys.init_plan(ctx.home).apply()
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+n", "ctrl+n")
        await settle(pilot)
        await type_into(pilot, "#hostname", "node.demo.test")
    saved = json.loads((ctx.state_dir / "progress" / "member.json").read_text())
    assert saved["step"] == 2 and saved["hostname"] == "node.demo.test" and saved["p2p_port"] == 26656
    assert "priv" not in json.dumps(saved)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "step 3 of 10" in text


async def test_join_step_shows_peers_on_another_chain(sandbox) -> None:
    """A genesis whose chain the members' nodes do not run: every peer is chain_id_mismatch, with the fix."""
    ctx = sandbox.context
    keys.init_plan(ctx.home).apply()
    genesis = sandbox.root / "other-genesis.json"
    members = [c.card for c in cards.read_cards(sandbox.cards_dir)]
    genesis.write_text(new_genesis(members, chain_id="another-chain"))
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        app.screen.show_step(5)  # the join step
        await settle(pilot)
        await type_into(pilot, "#genesis", str(genesis))
        await type_into(pilot, "#cards", str(sandbox.cards_dir))
        await press(pilot, "#check-peers")
        found = app.screen.query_one("#peer-findings").findings
        assert sorted(f.code for f in found) == ["chain_id_mismatch"] * 3
        assert all("another-chain" in f.message and "demo-chain" in f.message and f.fix for f in found)
        assert "3 of 3 peer(s) need attention" in screen_text(app)


async def test_demo_coordinator_makes_a_genesis_with_this_node(sandbox) -> None:
    """In the demo the join step can ask the demo coordinator for a genesis (previewed, then written beside
    the sandbox's cards): it holds this node and the three demo members, whose nodes then pass Check peers."""
    ctx = sandbox.context
    keys.init_plan(ctx.home).apply()
    app = make_app(ctx)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        app.screen.show_step(5)
        await settle(pilot)
        await press(pilot, "#demo-genesis")
        assert isinstance(app.screen, DiffPreviewScreen)
        assert not (sandbox.root / "genesis.json").exists()
        await press(pilot, "#write")
        await press(pilot, "#cancel")
        text = screen_text(app)
        assert "valid: chain demo-chain, 4 validators" in text and "this node's validator is in it" in text
        assert app.screen.query_one("#genesis").value == str(sandbox.root / "genesis.json")
        await press(pilot, "#check-peers")
        assert "all 3 peer(s) are the nodes their cards name, on chain demo-chain" in screen_text(app)
        await pilot.press("f1")  # the help screen: this step's text first, then the keys
        await pilot.pause()
        from pmwizard.tui.screens.help import HelpScreen

        assert isinstance(app.screen, HelpScreen) and "Check peers dials" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        # Enter in the moniker box opens the configure preview, as its button does
        app.screen.state.hostname = "node.demo.test"  # the service files need the name (step 3)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await type_into(pilot, "#moniker", "demo-node")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DiffPreviewScreen)


async def test_keyboard_alone_a_step_without_inputs_starts_on_its_button(sandbox) -> None:
    """The first step has only buttons: Enter right away opens the key preview, Ctrl+W writes the keys."""
    ctx = sandbox.context
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")  # the member journey
        await settle(pilot)
        await pilot.press("enter")  # the focused list of node homes: picks the one shown
        await settle(pilot)
        await pilot.press("enter")  # then the cursor is on "Create missing keys"
        await settle(pilot)
        assert isinstance(app.screen, DiffPreviewScreen)
        await pilot.press("ctrl+w")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert (ctx.home / "config/node_key.json").exists() and "node_id" in screen_text(app)
