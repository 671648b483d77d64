"""Issue 12 item 1: text from a card, a genesis file, a peer, a certificate or a server never reaches the
terminal raw. A property test draws control, bidi and invisible characters into every printed field of cards,
genesis files (and their file names), a P2P peer's NodeInfo and an RPC/API reply (real loopback sockets), runs
the CLI and finds none of them raw on stdout or stderr. The certbot line built from a certificate's names
quotes them for the shell and leaves out names that are not host names."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmwizard.checks.finding import Finding, Status
from pmwizard.checks.report import render_text
from pmwizard.checks.tlscheck import check_tls
from pmwizard.cli import main
from pmwizard.core import keys
from pmwizard.core.cards import card_text, export_card
from pmwizard.core.genesis import new_genesis
from tests.p2p.peers import PythonPeer, node_info, python_peer
from tests.support.faults import http_text_server
from tests.support.pki import TestPKI
from tests.support.tlsserver import tls_server

pytestmark = pytest.mark.servers

DANGER = ["\x1b]0;PWNED\x07", "\x1b[2J\x1b[H", "\x9b6n", "\u202e", "\u2067", "\x00", "\r", "\x08", "\x7f",
          "\u200f", "\x1b]52;c;cHduZWQ=\x07", "\x85", "\u2028", "\x1bP+q\x1b\\", "\t"]
PLAIN = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n/"), max_size=6)
HOSTILE = st.builds(lambda a, d, b: a + d + b, PLAIN, st.sampled_from(DANGER), PLAIN)


def raw(text: str) -> list[str]:
    """Characters a terminal would act on or that hide what is there (line breaks of our own output aside)."""
    return [ch for ch in text if not ch.isprintable() and ch != "\n"]


def cli(*argv: str) -> tuple[int, str]:
    """The CLI in this process: its exit code and everything it wrote to stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue() + err.getvalue()


def file_name(h: str) -> str:
    return "x" + h.replace("\x00", "") + ".json"


class PeerThread:
    """A Python Tendermint peer on a real loopback socket whose NodeInfo fields a test changes per example."""

    def __init__(self) -> None:
        self.fields: dict[str, object] = {}
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = 0
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self.loop)
        assert self.ready.wait(10)
        return self

    async def _serve(self) -> None:
        from pmwizard.checks.p2p_proto import encode_node_info
        from pmwizard.checks.secretconn import open_secret_connection

        async def behaviour(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: PythonPeer) -> None:
            sc = await open_secret_connection(reader, writer, peer.key)
            await sc.write_delimited(encode_node_info(node_info(peer, **self.fields)))
            await reader.read()

        self._stop = asyncio.Event()
        async with python_peer(behaviour) as peer:
            self.port = peer.port
            self.ready.set()
            await self._stop.wait()

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self._stop.set)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("shown-home")
    keys.init_plan(home).apply()
    card = json.loads(card_text(export_card(home, "node.example.org", name="Node")))
    genesis = json.loads(new_genesis([export_card(home, "node.example.org", name="Node")], chain_id="pm-shown"))
    return {"home": home, "card": card, "genesis": genesis}


@pytest.fixture(scope="module")
def peer() -> Iterator[PeerThread]:
    with PeerThread() as p:
        yield p


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(h=HOSTILE)
def test_no_raw_control_or_bidi_character_reaches_the_terminal(h: str, node: dict, peer: PeerThread,
                                                               tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("shown")
    outputs: list[str] = []
    # cards: the name, an unknown field's name, an IPv6 host name with a zone, and the file's own name
    for change in ({"name": h}, {h: "x"}, {"hostname": "fe80::1%" + h}):
        f = folder / file_name(h + str(len(outputs)))
        f.write_text(json.dumps({**node["card"], **change}))
        outputs.append(cli("card", "verify", str(f))[1])
    # genesis files: a validator's name (valid: printed by validate, shown in the configure diff), the chain
    # id, an unknown top-level field; then genesis new from a card under a hostile file name
    named = json.loads(json.dumps(node["genesis"]))
    named["validators"][0]["name"] = h
    g = folder / file_name(h)
    g.write_text(json.dumps(named, indent=2, ensure_ascii=False))
    outputs.append(cli("genesis", "validate", str(g))[1])
    outputs.append(cli("configure", "--genesis", str(g), "--home", str(node["home"]), "--check")[1])
    for change in ({"chain_id": h}, {h: 1}):
        bad = folder / file_name(h + "-bad")
        bad.write_text(json.dumps({**node["genesis"], **change}, ensure_ascii=False))
        outputs.append(cli("genesis", "validate", str(bad))[1])
    outputs.append(cli("genesis", "new", str(folder / file_name(h + "-absent")))[1])
    # a peer's NodeInfo
    peer.fields = {"moniker": h, "version": h, "network": h}
    outputs.append(cli("check", "p2p", f"127.0.0.1:{peer.port}", "--chain-id", "pm-shown", "--timeout", "5")[1])
    # the RPC's /status and the API's root
    status = json.dumps({"result": {"node_info": {"id": h, "network": h}}}).encode()
    api = json.dumps({"software": "Planetmint", "api": {"v1": {}}, "version": h}).encode()
    with http_text_server(_http(status)) as rpc_port, http_text_server(_http(api)) as api_port:
        outputs.append(cli("doctor", "--home", str(node["home"]), "--rpc", f"local=http://127.0.0.1:{rpc_port}",
                           "--api-port", str(api_port), "--https-port", "1", "--p2p-port", "1",
                           "--tarantool-port", "1", "--timeout", "3")[1])
    for text in outputs:
        assert not raw(text), (h, raw(text), text[-600:])
    assert any("\\x" in t or "\\u" in t for t in outputs), "the hostile characters are shown escaped"


def _http(body: bytes) -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode()
            + b"\r\n\r\n" + body)


def test_a_certificates_names_are_escaped_and_quoted_in_the_certbot_line(tmp_path: Path) -> None:
    pki = TestPKI()
    evil = ["ok.example.test", "x\x1b]0;PWNED\x07.example.test", "$(touch pwned).example.test"]
    cert, key = pki.leaf(evil).write(tmp_path, "srv")
    with tls_server(cert, key) as srv:
        findings = asyncio.run(check_tls("tls.good.test", port=srv.port, addresses=["127.0.0.1"], timeout=5.0,
                                         ca_file=pki.write_root(tmp_path / "root.pem")))
    text = render_text(findings)
    assert not raw(text)
    [name] = [f for f in findings if f.check == "tls.name" and f.status == Status.FAIL]
    command = name.fix.split("`")[1]
    assert command == "certbot --nginx -d ok.example.test -d tls.good.test", command
    assert "\\x1b]0;pwned\\x07" in text  # the message still says what the certificate holds, escaped


def test_the_wizards_findings_list_shows_remote_text_escaped() -> None:
    from pmwizard.tui.widgets.findings import finding_prompt

    f = Finding("p2p.handshake", "peer\x1b]0;t\x07", Status.FAIL, "chain_id_mismatch", "moniker \x1b]0;PWNED\x07",
                fix="use \u202eevil", evidence={"member": "m\x1b[2J"})
    shown = finding_prompt(f, by_member=True, opened=True).plain
    assert not raw(shown) and "\\x1b]0;PWNED\\x07" in shown and "\\u202e" in shown


async def test_a_peers_osc_sequence_never_reaches_the_wizards_terminal() -> None:
    """What Textual paints for a finding quoting a hostile moniker (the join step's peer check): the OSC that
    retitled the operator's terminal is painted as visible text, and no raw ESC or BEL is in the frame."""
    from textual.app import App, ComposeResult
    from textual.widgets import OptionList

    from pmwizard.tui.widgets.findings import FindingList

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield FindingList()

    hostile = Finding("p2p.handshake", "127.0.0.1:26656", Status.FAIL, "chain_id_mismatch",
                      "the peer (moniker \x1b]0;PWNED\x07\u202eevil) runs chain x", fix="fix \x1b[2J",
                      evidence={"member": "m\x1b]0;t\x07"})
    app = One()
    async with app.run_test(size=(100, 20)) as pilot:
        listing = app.query_one(FindingList)
        listing.by_member = True
        listing.add_finding(hostile)
        listing.flush()
        await pilot.pause()
        listing.query_one(OptionList).action_select()  # opened: the fix and the target too
        await pilot.pause()
        frame = app.export_screenshot()
    assert "\x1b" not in frame and "\x07" not in frame and "\u202e" not in frame
    assert "PWNED" in frame and "\\x1b]0;" in frame


def test_a_line_break_in_a_validator_name_cannot_add_a_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """`genesis validate` prints one line per validator: a name carrying a line break (which Tendermint
    accepts) is shown with the break escaped (\\x0a), so it cannot print a validator that is not in the file."""
    source = Path(__file__).parents[1] / "fixtures/tendermint/genesis-cases/valid_src01_full_default.json"
    doc = json.loads(source.read_text())
    fake = "\n  " + "F" * 40 + "  power 999  mallory"
    doc["validators"][0]["name"] = "alice" + fake
    path = tmp_path / "genesis.json"
    path.write_text(json.dumps(doc))
    assert main(["genesis", "validate", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("  ") and "  power " in line for line in out) == 1, out
    assert not any(line.startswith("  " + "F" * 40) for line in out), out
    assert any("alice\\x0a  " in line for line in out), out
