#!/usr/bin/env bash
# Are the declared dependency lower bounds true? Installs every runtime dependency at exactly the lowest
# version pyproject.toml allows (">=X" and "==X" become "==X") into a fresh venv, pmwizard on top without
# resolving again, and runs a quick subset of the core/CLI/wizard tests there (about a minute).
# Usage: bash scripts/lower-bounds.sh [PYTHON]   (default python3; the venv is $PMWIZARD_LOWER_VENV or a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-python3}"
if [ -n "${PMWIZARD_LOWER_VENV:-}" ]; then
  VENV="$PMWIZARD_LOWER_VENV"
else
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  VENV="$tmp/lower"
fi
pins="$("$PY" - <<'EOF'
import re, tomllib
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
for dep in deps:
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\[\]-]+)\s*(?:==|>=)\s*([^,;\s]+)\s*(?:,\s*<\s*[^,;\s]+\s*)?", dep)
    if not m:
        raise SystemExit(f"pyproject.toml: dependency {dep!r} has no lower bound (>=X or ==X)")
    print(f"{m[1]}=={m[2]}")
EOF
)"
echo "lower bounds: $(echo $pins)"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q $pins pytest pytest-asyncio hypothesis
"$VENV/bin/python" -m pip install -q --no-deps .
"$VENV/bin/python" -m pip check  # the pins satisfy every declared requirement, pmwizard's and theirs
# what the libraries touch (parsing, keys, JSON, TOML, DNS names, the CLI, a wizard journey); the slow ones
# that exercise the tendermint binary or only import rules add nothing about the libraries' versions
"$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/core --ignore=tests/core/test_genesis_tendermint.py \
  --ignore=tests/core/test_layers.py tests/cli/test_habits.py tests/cli/test_homes_and_paths.py \
  tests/tui/test_troubleshoot_and_home.py
