"""Monit supervision for Planetmint and Tendermint (and Tarantool, when its instance file is written too):
the monitrc and its helper script.

This replaces `planetmint-monit-config`, which pip no longer installs. Monit runs programs with a minimal
PATH, so both executables are written as absolute paths. Everything Monit and the two daemons write (pid
files, logs, Monit's own state) stays in one folder, `~/.planetmint-monit/` by default.
"""

from __future__ import annotations

import shlex
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

from pmwizard.errors import InputError
from pmwizard.render.quoting import monit_path

DEFAULT_DIR = Path.home() / ".planetmint-monit"
LOG_ROTATE_MB = 200

START_HINT = (
    "Start it with `monit -c {rc} -d 1`: Monit then runs in the background and checks both programs "
    "every second (-d 1 = one-second poll interval), so a crashed planetmint or tendermint is restarted "
    "within a second; `monit -c {rc} status` shows them, `monit -c {rc} quit` stops Monit."
)


@dataclass(frozen=True)
class MonitSetup:
    """Where Monit's files go and the programs it supervises (all absolute paths)."""

    folder: Path
    planetmint_bin: str
    tendermint_bin: str
    tendermint_home: Path
    http_port: int = 2812
    # Tarantool's instance file (render/tarantool.py, which daemonizes and writes tarantool.pid in the
    # same folder): when set, Monit starts and watches the database too, and planetmint depends on it.
    tarantool_bin: str | None = None
    tarantool_instance: Path | None = None

    @property
    def with_tarantool(self) -> bool:
        return bool(self.tarantool_bin and self.tarantool_instance)

    @property
    def monitrc(self) -> Path:
        return self.folder / "monitrc"

    @property
    def script(self) -> Path:
        return self.folder / "monit_script"


def find_program(name: str | tuple[str, ...], given: str | None, option: str) -> str:
    """The absolute path of `name` (or of the first of several names found, e.g. `cometbft` before
    `tendermint`: CometBFT 0.34 builds a `cometbft` binary): the one given, else the one on PATH now;
    refuse when neither."""
    names = (name,) if isinstance(name, str) else name
    if given:
        path = Path(given).expanduser()
        if not path.is_absolute():
            path = path.absolute()
        if not (path.is_file() and path.stat().st_mode & 0o111):
            raise InputError(str(path), option, f"is not an executable file; give the path to {names[-1]}")
        return str(path)
    for candidate in names:
        found = shutil.which(candidate)
        if found:
            return str(Path(found).absolute())
    shown = " nor ".join(f"`{n}`" for n in names)
    raise InputError("<command line>", option, f"{'neither ' if len(names) > 1 else ''}{shown} is on PATH; "
                     f"Monit needs its absolute path. Give it with {option} /path/to/{names[-1]}")


def monitrc_text(s: MonitSetup) -> str:
    """The monitrc. Monit refuses a control file others can read, so it is written 0700."""
    d = monit_path(str(s.folder), "--output")
    script = monit_path(str(s.script), "--output")
    rc = monit_path(str(s.monitrc), "--output")
    logs = f"{d}/logs"
    hint = "\n".join("# " + line for line in textwrap.wrap(START_HINT.format(rc=rc), 100))
    tarantool = planetmint_depends = ""
    if s.with_tarantool:
        tarantool = f"""check process tarantool with pidfile {d}/tarantool.pid
    start program = "{script} start_tarantool" with timeout 60 seconds
    stop program = "{script} stop_tarantool"

"""
        planetmint_depends = "\n    depends on tarantool"
    return f"""# Monit control file for a Planetmint node, written by pmwizard.
{hint}
set daemon 10
set logfile {d}/monit.log
set pidfile {d}/monit.pid
set idfile {d}/monit.id
set statefile {d}/monit.state

# The web interface (and `monit status`) answers on localhost only.
set httpd port {int(s.http_port)} and
    use address 127.0.0.1
    allow 127.0.0.1

{tarantool}check process planetmint with pidfile {d}/planetmint.pid
    start program = "{script} start_planetmint" with timeout 60 seconds
    stop program = "{script} stop_planetmint"{planetmint_depends}

check process tendermint with pidfile {d}/tendermint.pid
    start program = "{script} start_tendermint" with timeout 60 seconds
    stop program = "{script} stop_tendermint"
    depends on planetmint

# Log rotation: a log over {LOG_ROTATE_MB} MB is copied to .1 (one old copy kept) and emptied.
check file planetmint.log with path {logs}/planetmint.log
    if size > {LOG_ROTATE_MB} MB then exec "{script} rotate planetmint.log"

check file planetmint-errors.log with path {logs}/planetmint-errors.log
    if size > {LOG_ROTATE_MB} MB then exec "{script} rotate planetmint-errors.log"

check file tendermint.log with path {logs}/tendermint.log
    if size > {LOG_ROTATE_MB} MB then exec "{script} rotate tendermint.log"
"""


def script_text(s: MonitSetup) -> str:
    """The helper script Monit calls to start, stop and rotate. Every value is shell-quoted."""
    q = shlex.quote
    return f"""#!/bin/bash
# Helper for {s.monitrc}: starts and stops planetmint and tendermint for Monit, rotates their logs.
# Written by pmwizard. Monit runs this with a minimal PATH, hence the absolute paths.
set -o nounset
DIR={q(str(s.folder))}
PLANETMINT={q(s.planetmint_bin)}
TENDERMINT={q(s.tendermint_bin)}
TMHOME={q(str(s.tendermint_home))}
TARANTOOL={q(s.tarantool_bin or "")}
TARANTOOL_INSTANCE={q(str(s.tarantool_instance or ""))}
LOGS="$DIR/logs"
mkdir -p "$LOGS"

start() {{  # start NAME COMMAND...: run in the background, record the pid where the monitrc looks
    local name=$1; shift
    nohup "$@" >>"$LOGS/$name.log" 2>>"$LOGS/$name-errors.log" </dev/null &
    echo $! >"$DIR/$name.pid"
}}

stop() {{  # stop NAME: SIGINT lets planetmint and tendermint shut down cleanly
    local pidfile="$DIR/$1.pid"
    if [ -f "$pidfile" ]; then
        kill -INT "$(cat "$pidfile")" 2>/dev/null
        rm -f "$pidfile"
    fi
}}

case "${{1:-}}" in
    start_planetmint) start planetmint "$PLANETMINT" start ;;
    stop_planetmint) stop planetmint ;;
    start_tendermint) start tendermint "$TENDERMINT" node --home "$TMHOME" ;;
    stop_tendermint) stop tendermint ;;
    # the instance file daemonizes Tarantool and writes $DIR/tarantool.pid itself
    start_tarantool) "$TARANTOOL" "$TARANTOOL_INSTANCE" >>"$LOGS/tarantool-start.log" 2>&1 </dev/null ;;
    stop_tarantool) stop tarantool ;;
    rotate)
        case "${{2:-}}" in
            planetmint.log|planetmint-errors.log|tendermint.log|tendermint-errors.log)
                # copy then truncate: the daemon keeps its append-mode file open, so it writes on at 0
                cp -f "$LOGS/$2" "$LOGS/$2.1" && : >"$LOGS/$2" ;;
            *) echo "usage: $0 rotate planetmint.log|planetmint-errors.log|tendermint.log" >&2; exit 2 ;;
        esac ;;
    *) echo "usage: $0 start_planetmint|stop_planetmint|start_tendermint|stop_tendermint|"\
"start_tarantool|stop_tarantool|rotate LOG" >&2
       exit 2 ;;
esac
"""
