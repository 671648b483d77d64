"""The command tree as argparse built it: walked once after every subcommand registered itself, so the
schema name of a `--json` document, the examples under `--help`, `--quiet`/`--verbose` and the shell
completion cover commands other modules add without anyone listing them twice."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import NamedTuple


class Command(NamedTuple):
    """One parser of the tree: its words after `pmwizard` (empty for the top level) and its parser."""

    path: tuple[str, ...]
    parser: argparse.ArgumentParser

    @property
    def subcommands(self) -> dict[str, argparse.ArgumentParser]:
        for action in self.parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}

    @property
    def options(self) -> list[str]:
        """Every option string (`-o`, `--output`, ...) this parser accepts, in the order they were added."""
        return [s for a in self.parser._actions for s in a.option_strings]

    def option_choices(self) -> dict[str, list[str]]:
        """Options whose values are a fixed list (`--key-type ec|rsa`)."""
        return {s: [str(c) for c in a.choices] for a in self.parser._actions if a.option_strings and a.choices
                for s in a.option_strings}

    def positional_choices(self) -> list[str]:
        """Fixed values a positional argument takes (`services KIND`), besides subcommand names."""
        return [str(c) for a in self.parser._actions
                if not a.option_strings and a.choices and not isinstance(a, argparse._SubParsersAction)
                for c in a.choices]


def walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[Command]:
    """The parser and every subparser below it, parents first; aliases are not repeated."""
    node = Command(path, parser)
    yield node
    seen: set[int] = set()
    for name, sub in node.subcommands.items():
        if id(sub) in seen:
            continue
        seen.add(id(sub))
        yield from walk(sub, (*path, name))


def finish(parser: argparse.ArgumentParser, examples: dict[str, str]) -> None:
    """Give every subcommand its schema name (`identity-show`), `-q/--quiet` and `-v/--verbose` (also after
    the subcommand, where operators type them), and its examples as the epilog of `--help`."""
    for cmd in walk(parser):
        if cmd.path:
            cmd.parser.set_defaults(json_kind="-".join(cmd.path))
            add_verbosity(cmd.parser)
        text = examples.get(" ".join(cmd.path))
        if text and not cmd.parser.epilog:
            cmd.parser.epilog = EXAMPLES_HEADING + text
            cmd.parser.formatter_class = ExamplesFormatter


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    """`-q/--quiet` and `-v/--verbose`; SUPPRESS keeps a value given before the subcommand."""
    taken = set(Command((), parser).options)
    for flags, help_ in (
        (("-q", "--quiet"), "print only results and errors"),
        (("-v", "--verbose"), "also say what was chosen and why (e.g. which node home)"),
    ):
        free = [f for f in flags if f not in taken]
        if flags[1] in free:
            parser.add_argument(*free, action="store_true", default=argparse.SUPPRESS, help=help_)


EXAMPLES_HEADING = "examples:\n"


class ExamplesFormatter(argparse.HelpFormatter):
    """Wraps the description as usual but keeps the examples' lines (commands must stay copyable)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith(EXAMPLES_HEADING):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)
