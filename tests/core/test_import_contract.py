"""Which layer may import which (an import-direction contract, read from the source): data flows one way.

core knows nothing but itself; render turns core values into file text; checks ask the network; demo builds a
sandbox from those; the CLI and the TUI only present, and the TUI never reaches into the CLI (what both need
lives below them). Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pmwizard"

# layer -> the pmwizard layers it may import ("errors" and "__init__" (the version) are open to all)
ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "render": {"core", "render"},
    "checks": {"core", "checks", "render"},
    "acme": {"core", "checks", "render", "acme"},
    "demo": {"core", "checks", "render", "demo", "acme"},
    "tui": {"core", "checks", "render", "demo", "acme", "tui"},
    "cli": {"core", "checks", "render", "demo", "acme", "tui", "cli"},
}
OPEN = {"errors", ""}
# The demo sandbox hands the wizard its context: that one module (a plain dataclass, no Textual) is allowed.
EXCEPTIONS = {("demo", "pmwizard.tui.context")}


def _layer(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 else "__main__"


def _imported_layers(path: Path) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: set[tuple[str, int]] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names if node.module == "pmwizard"]
        for name in names:
            parts = name.split(".")
            if parts[0] == "pmwizard":
                found.add((name, node.lineno))
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if _layer(p) in ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layers(path: Path) -> None:
    layer = _layer(path)
    wrong = sorted((module, line) for module, line in _imported_layers(path)
                   if (target := [*module.split("."), ""][1]) not in OPEN and target != "__version__"
                   and target not in ALLOWED[layer] and (layer, module) not in EXCEPTIONS)
    assert not wrong, f"pmwizard/{path.relative_to(PACKAGE)} ({layer}) imports " + ", ".join(
        f"{m} (line {n})" for m, n in wrong)


def test_every_layer_is_known() -> None:
    layers = {_layer(p) for p in PACKAGE.rglob("*.py")}
    assert layers <= set(ALLOWED) | {"__main__", "__init__", "errors"}, layers - set(ALLOWED)
