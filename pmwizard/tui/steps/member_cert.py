"""Member step 3: the TLS certificate: a live check of https://hostname, local files checked before
deploying, or a new private key + CSR for the host name (written through the diff preview)."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from pmwizard.errors import PmwizardError
from pmwizard.tui.steps.base import MemberStep
from pmwizard.tui.widgets.findings import FindingList
from pmwizard.tui.widgets.pathinput import PathInput


class CertificateStep(MemberStep):
    title = "TLS certificate"
    short = "Certificate"
    help = ('Serve the full chain (fullchain.pem: your certificate, then the intermediates). The certificate '
            'must name every name clients type: this host, and any consortium CNAME and round-robin name. The '
            "CSR's private key stays in its file (0600) and is never shown.")

    def compose(self) -> ComposeResult:
        yield Static("", id="status", markup=False)
        with Horizontal():
            yield Button("Check live HTTPS", compact=True, id="live", variant="primary")
            yield Button("Make key + CSR", compact=True, id="csr")
        yield PathInput(placeholder="certificate file to check (fullchain.pem), optional", id="cert")
        yield PathInput(placeholder="its private key file (privkey.pem), optional", id="key")
        with Horizontal():
            yield Button("Check files", compact=True, id="files")
        yield FindingList(id="tls-findings")

    def entered(self) -> None:
        host = (self.state.hostname or "?")
        self.say(f"Certificate for {host}: check what the server sends, or files before you deploy them.")

    @on(Button.Pressed, "#live")
    def live(self) -> None:
        self.query_one("#tls-findings", FindingList).clear_findings()
        self.run_live(self.state.hostname)

    @work(exclusive=True, group="tls", exit_on_error=False)
    async def run_live(self, host: str) -> None:
        from pmwizard.checks.tlscheck import check_tls

        self.say(f"connecting to {host}:{self.context.tls_port} ...")
        found = await check_tls(host, port=self.context.tls_port, ca_file=self.context.ca_file,
                                nameservers=self.context.nameservers, timeout=self.context.timeout)
        self._show(found)

    @on(Button.Pressed, "#files")
    @on(Input.Submitted, "#cert, #key")
    def files(self) -> None:
        from pmwizard.checks.certfiles import check_cert_files

        cert = self.query_one("#cert", Input).value.strip()
        key = self.query_one("#key", Input).value.strip() or None
        if not cert:
            self.say("type the certificate file's path first", "problem")
            return
        self.query_one("#tls-findings", FindingList).clear_findings()
        self._show(check_cert_files(cert, key, names=[self.state.hostname], ca_file=self.context.ca_file))

    def _show(self, found) -> None:
        listing = self.query_one("#tls-findings", FindingList)
        for f in found:
            listing.add_finding(f)
        listing.flush()
        bad = [f for f in found if f.status.value in ("fail", "error")]
        warned = [f for f in found if f.status.value == "warn"]
        if bad:
            self.say(f"{len(bad)} problem(s): expand one for the fix", "problem")
        elif warned:
            self.say(f"the certificate works, with {len(warned)} warning(s): open them", "hint")
        else:
            self.say("the certificate looks right", "good")

    @on(Button.Pressed, "#csr")
    @work(exclusive=True, group="csr", exit_on_error=False)
    async def csr(self) -> None:
        from pmwizard.checks.certfiles import csr_plan

        try:
            plan, key_file, csr_file = csr_plan(self.state.hostname, out_dir=self.context.home / "tls")
        except PmwizardError as exc:
            self.say(str(exc), "problem")
            return
        if await self.preview(plan, "Private key and signing request"):
            self.say(f"give {csr_file} to your CA; the key stays in {key_file}", "good")
            self.query_one("#key", Input).value = str(key_file)

    def csr_folder(self) -> Path:
        return self.context.home / "tls"
