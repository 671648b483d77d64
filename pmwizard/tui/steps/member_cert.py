"""Member step 3: the TLS certificate: a live check of https://hostname, local files checked before
deploying, a new private key + CSR for the host name (written through the diff preview), or the
certificate itself from Let's Encrypt (pmwizard.acme: a pre-flight first, then, on a second press, the
CA is asked and the files written; progress and findings shown as they come).

Issuance settings other than the names come from `context.acme_options` when the context has one (keyword
arguments of pmwizard.acme.request.make_request: another CA directory, ports, file paths), else the
defaults (Let's Encrypt, certbot's file layout)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static
from textual.worker import get_current_worker

from pmwizard.errors import PmwizardError
from pmwizard.tui.steps.base import MemberStep
from pmwizard.tui.widgets.findings import FindingList
from pmwizard.tui.widgets.pathinput import PathInput

if TYPE_CHECKING:
    from pmwizard.acme.issue import IssueOutcome
    from pmwizard.acme.request import IssueRequest


class CertificateStep(MemberStep):
    title = "TLS certificate"
    short = "Certificate"
    help = ('Serve the full chain (fullchain.pem: your certificate, then the intermediates). The certificate '
            'must name every name clients type: this host, and any consortium CNAME and round-robin name. The '
            "CSR's private key stays in its file (0600) and is never shown. 'Get a certificate' checks DNS, CAA and "
            "port 80 first, then (second button) asks Let's Encrypt over HTTP-01 and writes fullchain.pem and "
            "privkey.pem where the NGINX site expects them.")

    def compose(self) -> ComposeResult:
        yield Static("", id="status", markup=False)
        with Horizontal():
            yield Button("Check live HTTPS", compact=True, id="live", variant="primary")
            yield Button("Make key + CSR", compact=True, id="csr")
        yield PathInput(placeholder="certificate file to check (fullchain.pem), optional", id="cert")
        yield PathInput(placeholder="its private key file (privkey.pem), optional", id="key")
        with Horizontal():
            yield Button("Check files", compact=True, id="files")
        yield Input(compact=True, placeholder="more names for the certificate (consortium names), optional",
                    id="acme-names")
        with Horizontal():
            yield Button("Get a certificate (Let's Encrypt)", compact=True, id="acme")
            yield Button("Request it and write the files", compact=True, id="acme-write", disabled=True)
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

    def _acme_request(self) -> IssueRequest:
        from pmwizard.acme.request import make_request

        names = self.query_one("#acme-names", Input).value.replace(",", " ").split()
        options = dict(self.context.acme_options)
        options.setdefault("nameservers", tuple(self.context.nameservers))
        options.setdefault("timeout", self.context.timeout)
        options.setdefault("https_port", self.context.tls_port)
        return make_request(self.data.get("hostname", ""), names, **options)

    @on(Button.Pressed, "#acme")
    def acme_preflight(self) -> None:
        self.query_one("#acme-write", Button).disabled = True
        if self.context.demo and not self.context.acme_options:
            self.say("the demo has no CA to ask (it would be Let's Encrypt itself): on your node this checks DNS, "
                     "CAA and port 80, then gets the certificate", "problem")
            return
        self.query_one("#tls-findings", FindingList).clear_findings()
        self.run_acme(apply=False)

    @on(Button.Pressed, "#acme-write")
    def acme_issue(self) -> None:
        self.query_one("#acme-write", Button).disabled = True
        self.query_one("#tls-findings", FindingList).clear_findings()
        self.run_acme(apply=True)

    @work(thread=True, exclusive=True, group="acme", exit_on_error=False)
    def run_acme(self, apply: bool) -> None:
        """The pre-flight (apply=False) or the issuance, off the event loop: the CA takes seconds."""
        from pmwizard.acme.issue import issue
        from pmwizard.core.shown import visible

        worker = get_current_worker()

        def progress(text: str) -> None:
            if not worker.is_cancelled:
                self.app.call_from_thread(self.say, f"{text} ...")

        try:
            outcome = issue(self._acme_request(), apply=apply, progress=progress)
        except PmwizardError as exc:
            self.app.call_from_thread(self.say, visible(str(exc)), "problem")
            return
        except Exception as exc:  # shown, never a step left saying "asking ..." forever
            self.app.call_from_thread(self.say, f"unexpected error: {visible(exc)}", "problem")
            raise
        self.app.call_from_thread(self._acme_done, outcome, apply)

    def _acme_done(self, outcome: IssueOutcome, applied: bool) -> None:
        self._show(outcome.findings)
        if not outcome.ok:
            return
        req = outcome.request
        if not applied:
            files = ", ".join(str(c.path) for c in outcome.plan.pending) if outcome.plan else ""
            self.say(f"pre-flight passed ({outcome.mode}). Request it: the CA validates, then pmwizard writes "
                     f"{req.cert}, {files}", "good")
            self.query_one("#acme-write", Button).disabled = False
            return
        self.query_one("#cert", Input).value = str(req.cert)
        self.query_one("#key", Input).value = str(req.key)
        self.data["cert_file"], self.data["key_file"] = str(req.cert), str(req.key)
        when = f"{outcome.not_after:%Y-%m-%d}" if outcome.not_after else "?"
        self.say(f"certificate for {', '.join(req.all_names)} written to {req.cert}, valid until {when}; "
                 "`pmwizard cert schedule --yes` renews it", "good")

    def csr_folder(self) -> Path:
        return self.context.home / "tls"
