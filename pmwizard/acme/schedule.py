"""How renewal runs by itself: a systemd service + timer pair (twice a day, at a random minute, as
certbot's own timer does), or a cron file for machines without systemd. Written through the Plan like
every file: `cert schedule --check` shows the units, `--yes` writes them.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from pmwizard.core.plan import Plan
from pmwizard.errors import InputError

SYSTEMD_DIR = Path("/etc/systemd/system")
CRON_FILE = Path("/etc/cron.d/pmwizard-renew")
UNIT = "pmwizard-renew"
_SAFE = re.compile(r"^/[A-Za-z0-9._/+@%,:=~-]*$")  # no blanks, quotes, '$', '%' specifiers, or newlines


def _safe_path(value: Path | str, field: str) -> str:
    text = str(value)
    if not _SAFE.match(text) or "%" in text:
        raise InputError("<command line>", field, f"{text!r}: the path goes into a unit/cron line, which "
                         "cannot quote blanks, quotes, '$' or '%'; use a path without them")
    return text


def pmwizard_program() -> str:
    """An absolute pmwizard to run from a timer (which has a minimal PATH)."""
    found = shutil.which("pmwizard")
    if found:
        return str(Path(found).absolute())
    return f"{sys.executable} -m pmwizard"


def renew_command(config_dir: Path, program: str | None = None) -> str:
    prog = program or pmwizard_program()
    for part in prog.split(" "):
        if part.startswith("/"):
            _safe_path(part, "pmwizard program")
        elif part not in ("-m", "pmwizard"):
            raise InputError("<command line>", "pmwizard program", f"{part!r} cannot go into a unit file")
    return f"{prog} cert renew --yes --config-dir {_safe_path(config_dir, '--config-dir')}"


def systemd_plan(config_dir: Path, folder: Path = SYSTEMD_DIR, program: str | None = None) -> Plan:
    cmd = renew_command(config_dir, program)
    service = f"""# Written by pmwizard: renews the certificates pmwizard issued when they are within 30 days of expiry,
# then reloads NGINX. Run by {UNIT}.timer; try it now with: systemctl start {UNIT}.service
[Unit]
Description=Renew the node's TLS certificates (pmwizard cert renew)
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart={cmd}
"""
    timer = f"""# Written by pmwizard: runs {UNIT}.service twice a day at a random time (spreads load on the CA).
# Enable with: systemctl daemon-reload && systemctl enable --now {UNIT}.timer
[Unit]
Description=Renew the node's TLS certificates twice a day

[Timer]
OnCalendar=*-*-* 00,12:00:00
RandomizedDelaySec=12h
Persistent=true

[Install]
WantedBy=timers.target
"""
    plan = Plan()
    plan.add(folder / f"{UNIT}.service", service,
             notes=["then: systemctl daemon-reload && systemctl enable --now pmwizard-renew.timer"])
    plan.add(folder / f"{UNIT}.timer", timer, notes=["twice a day; a missed run happens at the next boot"])
    return plan


def cron_plan(config_dir: Path, path: Path = CRON_FILE, program: str | None = None, minute: int = 17) -> Plan:
    cmd = renew_command(config_dir, program)
    text = f"""# Written by pmwizard: renews the certificates pmwizard issued (within 30 days of expiry), twice a day.
SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
{minute} 3,15 * * * root {cmd} >/dev/null
"""
    plan = Plan()
    plan.add(path, text, notes=["cron reads /etc/cron.d/ by itself; nothing to enable"])
    return plan
