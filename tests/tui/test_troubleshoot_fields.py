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


async def test_many_findings_arrive_in_bounded_batches_and_reorder_without_rebuilding() -> None:
    """800 findings landing at once (a doctor over 50 members) become rows FLUSH_ROWS at a time, so no batch
    holds the event loop long; problems_first then moves the same row objects instead of making new ones."""
    from textual.app import App

    from pmwizard.checks.finding import Finding
    from pmwizard.tui.widgets.findings import FLUSH_ROWS, FindingList

    class One(App):
        def compose(self):
            yield FindingList(id="findings")

    statuses = [Status.PASS, Status.WARN, Status.FAIL, Status.ERROR]
    app = One()
    async with app.run_test(size=(100, 40)) as pilot:
        listing = app.query_one(FindingList)
        rows = listing.query_one(OptionList)
        for i in range(800):
            listing.add_finding(Finding("dns.a", f"m{i}.example.org", statuses[i % 4], "ok",
                                        f"member {i}: a message long enough to wrap on a narrow screen " * 2))
        listing._flush_some()  # what the timer does: one batch, and the timer comes back for the rest
        assert rows.option_count == FLUSH_ROWS
        made = {rows.get_option_at_index(i).id: rows.get_option_at_index(i) for i in range(rows.option_count)}
        await listing.problems_first()
        await pilot.pause()
        assert rows.option_count == 800
        order = [listing.findings[int(rows.get_option_at_index(i).id)].status for i in range(800)]
        assert order == sorted(order, key=RANK.__getitem__)
        moved = {rows.get_option_at_index(i).id: rows.get_option_at_index(i) for i in range(800)}
        assert all(moved[k] is option for k, option in made.items())  # the same rows, not rebuilt
        summary = str(listing.query_one(".summary").render())
        assert "FAIL 200" in summary and "ok 200" in summary

        # a reorder wraps no row's text again: each row remembers its height at the widths it was measured at
        from textual.content import Content

        wrapped = []
        measure = Content.get_height

        def counting(self, rules, width):
            wrapped.append(width)
            return measure(self, rules, width)

        Content.get_height = counting  # type: ignore[method-assign]
        try:
            await listing.problems_first()
            await pilot.pause()
        finally:
            Content.get_height = measure  # type: ignore[method-assign]
        assert rows.option_count == 800 and wrapped == []
