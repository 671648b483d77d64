#!/usr/bin/env bash
# The one test command (README quick start, and what CI runs): install what the tests need, then pytest.
# As root it installs the real servers the tests run against from Debian's packages; it builds a real
# Tendermint 0.34 (CometBFT) with Go and installs Planetmint into its own venv for the end-to-end tests.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh tests/core -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
DEBS="knot nginx monit tmux tarantool faketime prometheus"
if [ "$(id -u)" = 0 ]; then
  missing=""
  for p in $DEBS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -n "$missing" ]; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
  fi
else
  echo "not root: make sure these Debian packages are installed: $DEBS" >&2
fi
python3 -m pip install -q -e '.[test]'
bash scripts/build-tendermint.sh
bash scripts/install-planetmint.sh
exec python3 -m pytest "$@"
