"""`pmwizard` with no subcommand: build the context (or the demo sandbox) and run the wizard."""

from __future__ import annotations

from pathlib import Path


def run_wizard(home: str | None = None, demo: bool = False, ports: dict[str, int] | None = None,
               nginx_site: str | None = None) -> int:
    """`ports`: the service files' ports given on the command line (monit, tarantool, api, ws);
    `nginx_site`: where the NGINX site file goes (a test machine, a second node)."""
    from pmwizard.tui.app import make_app
    from pmwizard.tui.context import WizardContext

    if demo:
        from pmwizard.demo import Sandbox

        with Sandbox(handle_signals=True) as sandbox:
            return make_app(sandbox.context).run() or 0
    site = Path(nginx_site).expanduser().absolute() if nginx_site else None
    return make_app(WizardContext.for_home(home, service_ports=dict(ports or {}), nginx_site=site)).run() or 0
