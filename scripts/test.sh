#!/usr/bin/env bash
# The one test command (README quick start, and what CI runs): install what the tests need, then pytest.
# As root it installs the real servers the tests run against from Debian's packages; it builds a real
# Tendermint 0.34 (CometBFT) with Go and installs Planetmint into its own venv for the end-to-end tests.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh tests/core -x`.
# Where python3 is the distribution's own and refuses `pip install` (PEP 668: Debian 12, Ubuntu 24.04), it
# makes and uses the virtual environment .venv; in a venv, or with an interpreter of its own, it installs there.
# Under CI=true (or PMWIZARD_INSTALL_CHECKS=1) it also checks the built wheel in a fresh venv of
# /usr/bin/python3 and runs the quick tests on the declared lowest dependency versions. Before the tests it
# runs the code checks: ruff (the rule set in pyproject.toml) and mypy on pmwizard/ (a finding fails the run).
set -euo pipefail
cd "$(dirname "$0")/.."
DEBS="knot nginx monit tmux tarantool python3-venv zsh pebble faketime prometheus"
if [ "$(id -u)" = 0 ]; then
  missing=""
  for p in $DEBS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -n "$missing" ]; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
  fi
else
  echo "not root: make sure these Debian packages are installed: $DEBS" >&2
fi
PY=python3
if python3 - <<'EOF'
import os, sys, sysconfig
managed = os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))
sys.exit(0 if managed and sys.prefix == sys.base_prefix else 1)
EOF
then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  PY=.venv/bin/python
  echo "python3 is externally managed (PEP 668): installing into and testing with .venv" >&2
fi
"$PY" -m pip install -q -e '.[test]'
bash scripts/build-tendermint.sh
bash scripts/install-planetmint.sh
"$PY" -m ruff check pmwizard tests bench scripts
"$PY" -m mypy
if [ "${CI:-}" = true ] || [ "${PMWIZARD_INSTALL_CHECKS:-}" = 1 ]; then
  PMWIZARD_BUILD_PYTHON="$PY" bash scripts/check-install.sh
  bash scripts/lower-bounds.sh "$PY"
fi
exec "$PY" -m pytest "$@"
