"""The certificate step's "Get a certificate (Let's Encrypt)" button, with Pilot, against pebble: the first
press runs the pre-flight (nothing written, the CA not asked), the second asks the CA and writes the files;
the findings and the result are shown, the key never is."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from textual.widgets import Button, Input

from pmwizard.tui.app import make_app
from pmwizard.tui.context import WizardContext
from tests.cert.conftest import CONSORTIUM, NODE, Pebble
from tests.tui.conftest import press, screen_text, settle

pytestmark = pytest.mark.servers


async def test_get_certificate_button(tmp_path: Path, pebble: Pebble) -> None:
    ctx = WizardContext(home=tmp_path / "home", state_dir=tmp_path / "state", nameservers=[pebble.knot.nameserver])
    live = tmp_path / "live"
    ctx.acme_options = {
        "directory": pebble.directory, "ca_file": pebble.ca_file, "caa_identity": "pebble.pmwizard.test",
        "http_port": pebble.http_port, "listen": "127.0.0.1", "cert": live / "fullchain.pem",
        "key": live / "privkey.pem", "config_dir": tmp_path / "acme", "webroot": tmp_path / "webroot"}
    ctx.save_progress("member", {"step": 3, "hostname": NODE})  # resume at step 4, the certificate
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the member journey, resumed
        await settle(pilot)
        assert "TLS certificate" in screen_text(app)
        app.screen.query_one("#acme-names", Input).value = CONSORTIUM
        write = app.screen.query_one("#acme-write", Button)
        assert write.disabled

        await press(pilot, "#acme")
        text = screen_text(app)
        assert "pre-flight passed (standalone)" in text and "acme.here" in text, text
        assert not live.exists(), "the pre-flight writes nothing"
        assert not write.disabled

        await press(pilot, "#acme-write")
        text = screen_text(app)
        assert "acme.order" in text and "written to" in text and "valid until" in text, text
        cert = x509.load_pem_x509_certificates((live / "fullchain.pem").read_bytes())[0]
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert set(names.get_values_for_type(x509.DNSName)) == {NODE, CONSORTIUM}
        key = live / "privkey.pem"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600 and key.read_text() not in text
        assert app.screen.query_one("#cert", Input).value == str(live / "fullchain.pem")


async def test_the_demo_asks_no_ca(tmp_path: Path) -> None:
    """In the demo sandbox the button explains itself instead of asking Let's Encrypt from a sandbox."""
    from pmwizard.demo import Sandbox

    with Sandbox(tmp_path / "sandbox") as sb:
        ctx = sb.context
        ctx.save_progress("member", {"step": 3, "hostname": "node.demo.test"})
        app = make_app(ctx)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("enter")  # resumed at the certificate step
            await settle(pilot)
            await press(pilot, "#acme")
            assert "the demo has no CA to ask" in screen_text(app)
            assert app.screen.query_one("#acme-write", Button).disabled
