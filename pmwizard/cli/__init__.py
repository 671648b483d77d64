"""The `pmwizard` command. No subcommand opens the wizard; every subcommand works without a TTY.

Exit codes are an API: 0 success (warnings allowed), 1 a check failed or the input is invalid, 2 usage
(also: the wizard without a terminal), 3 could not check or could not write (a server did not answer,
permission denied, disk full); 141 the reader of stdout went away (`| head`), 130 interrupted.
Each subcommand lives in its own module with a `register(subparsers)` function; heavy imports stay inside
the command functions. `main` registers only the chosen subcommand's module (a command costs what it needs,
not what every other command needs); `pmwizard --help`, an unknown command and `build_parser()` register all.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pmwizard import __version__
from pmwizard.errors import PmwizardError

if TYPE_CHECKING:
    import argparse

COMMANDS = ("identity", "card", "genesis", "configure", "services", "check", "doctor", "undo", "demo", "export",
            "completion", "cert", "validators", "join", "software")


EXIT_CODES = """exit codes:
  0  success (warnings allowed)
  1  a check failed, or the input is invalid (nothing was written)
  2  usage error (unknown option, missing argument)
  3  could not check or could not write: a server did not answer, permission denied, disk full"""


def register_modules(sub: argparse._SubParsersAction, prefix: str, names: Sequence[str]) -> None:
    """Each `prefix + name` module's `register(sub)`; a module that is not installed is not offered (an
    ImportError inside a present module is a bug and propagates)."""
    import importlib

    for name in names:
        try:
            module = importlib.import_module(prefix + name)
        except ModuleNotFoundError as exc:
            if exc.name == prefix + name:
                continue
            raise
        module.register(sub)


# the wizard's service ports (top-level, each takes a number): option -> WizardContext.service_ports key
WIZARD_PORTS = {"--monit-port": "monit", "--tarantool-port": "tarantool", "--api-port": "api", "--ws-port": "ws"}


def commands_for(argv: Sequence[str]) -> Sequence[str]:
    """The subcommand modules `argv` needs: the one it names; none when it names none (`--version`, the
    wizard); all for help or a word that is no command (so argparse lists every choice). Mirrors the
    top-level options: `--home` takes a value, `--demo`/`--version` do not."""
    args = iter(argv)
    for arg in args:
        if arg in ("-h", "--help", "--"):
            return COMMANDS
        if arg in ("--home", "--nginx-site", *WIZARD_PORTS):
            next(args, None)
        elif not arg.startswith("-"):
            return (arg,) if arg in COMMANDS else COMMANDS
    return ()


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser. Given `argv`, only the subcommand modules it needs are imported (see commands_for);
    without it every subcommand is registered."""
    import argparse

    from pmwizard.cli.common import port_number

    parser = argparse.ArgumentParser(
        prog="pmwizard",
        description="Set up a Planetmint node or form a Planetmint network. Without a command: the wizard.",
    )
    parser.add_argument("--version", action="version", version=f"pmwizard {__version__}")
    parser.add_argument("--home", help="node home (default: $CMTHOME, $TMHOME, else an existing ~/.cometbft or "
                                       "~/.tendermint)")
    parser.add_argument("--demo", action="store_true", help="run the wizard in a sandbox with made-up members")
    parser.add_argument("--nginx-site", metavar="FILE", default=None,
                        help="the wizard's NGINX site file (default /etc/nginx/sites-available/planetmint)")
    for option, key in WIZARD_PORTS.items():
        parser.add_argument(option, type=port_number, metavar="PORT", default=None,
                            help=f"the wizard's service files: the {key} port (default as `pmwizard services`)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    names = COMMANDS if argv is None else commands_for(argv)
    if not names:  # `--version` or the wizard: no subcommand, so no examples or command tree to build
        parser.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        parser.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        return parser
    register_modules(sub, "pmwizard.cli.", names)
    from pmwizard.cli.examples import EXAMPLES
    from pmwizard.cli.tree import add_verbosity, finish

    add_verbosity(parser)
    finish(parser, EXAMPLES)
    parser.epilog = f"{parser.epilog or ''}\n{EXIT_CODES}"
    return parser


def _safe_streams() -> None:
    """Under LANG=C / PYTHONIOENCODING=ascii a name like `straße` must not crash a print: characters the
    stream cannot encode are written as escapes (documents that must stay exact go out as UTF-8 bytes)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _quiet_broken_pipe() -> int:
    """`pmwizard ... | head -1`: the reader left; say nothing, and keep Python's exit-time flush from
    raising again on the closed pipe (the way the Python docs recommend)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 141  # 128 + SIGPIPE, what a shell reports for a program the closed pipe stopped


def needs_terminal() -> str | None:
    """Why the wizard cannot start here (no terminal on stdin or stdout), or None."""
    if sys.stdin is None or sys.stdout is None or not (sys.stdin.isatty() and sys.stdout.isatty()):
        return ("the wizard needs a terminal (stdin and stdout are not one here); without one use a "
                "subcommand, see `pmwizard --help`")
    return None


def main(argv: Sequence[str] | None = None) -> int:
    _safe_streams()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv == ["--version"]:  # what argparse's version action prints, without importing argparse (scripts ask often)
        print(f"pmwizard {__version__}")
        return 0
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    from pmwizard.cli.common import configure_output

    configure_output(args)
    if args.command is None:
        reason = needs_terminal()
        if reason:
            print(f"pmwizard: {reason}", file=sys.stderr)
            return 2
    try:
        if args.command is None:
            from pmwizard.tui.run import run_wizard

            ports = {key: getattr(args, opt[2:].replace("-", "_")) for opt, key in WIZARD_PORTS.items()}
            # e.g. both default homes: one line, exit 1
            return run_wizard(home=args.home, demo=args.demo, ports={k: v for k, v in ports.items() if v},
                              nginx_site=args.nginx_site)
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below, not at exit
        return code
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except PmwizardError as exc:
        from pmwizard.core.shown import visible

        print(f"pmwizard: {visible(exc)}", file=sys.stderr)
        return 1
    except OSError as exc:  # could not read or write: one line naming the path and the fix, no traceback
        if isinstance(exc, BrokenPipeError):
            raise
        from pmwizard.core.safeio import os_error_text
        from pmwizard.core.shown import visible

        print(f"pmwizard: {visible(os_error_text(exc.filename or '', exc))}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("pmwizard: interrupted", file=sys.stderr)
        return 130
