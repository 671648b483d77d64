#!/usr/bin/env bash
# Install Planetmint (for the end-to-end tests) into its own virtual environment, apart from pmwizard's.
# Output: ~/.cache/pmwizard-pm (or $PMWIZARD_PLANETMINT_VENV) with bin/planetmint.
set -euo pipefail
VERSION="${PLANETMINT_VERSION:-2.5.3}"
VENV="${PMWIZARD_PLANETMINT_VENV:-$HOME/.cache/pmwizard-pm}"
if [ -x "$VENV/bin/planetmint" ] && "$VENV/bin/pip" show planetmint 2>/dev/null | grep -q "^Version: $VERSION$"; then
  echo "planetmint $VERSION already installed: $VENV"; exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q "planetmint==$VERSION"
"$VENV/bin/planetmint" --version 2>/dev/null || "$VENV/bin/pip" show -q planetmint >/dev/null
