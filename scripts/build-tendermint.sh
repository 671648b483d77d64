#!/usr/bin/env bash
# Build the Tendermint 0.34 binary the tests run against (a test dependency only; pmwizard is pure Python).
# tendermint/tendermint@v0.34.24 is no longer served by the Go module proxy, so this builds the newest
# CometBFT v0.34.x (module path github.com/tendermint/tendermint, the line Planetmint supports). Its go.mod
# replaces three modules with forks the proxy does not serve either; those replaces are dropped so the
# upstream modules are used. Output: ~/.cache/pmwizard-tm/tendermint (or $PMWIZARD_TENDERMINT).
set -euo pipefail
VERSION="${CMT_VERSION:-v0.34.35}"
OUT="${PMWIZARD_TENDERMINT:-$HOME/.cache/pmwizard-tm/tendermint}"
if [ -x "$OUT" ] && "$OUT" version 2>/dev/null | grep -q "^${VERSION#v}$"; then
  echo "tendermint ${VERSION#v} already built: $OUT"; exit 0
fi
command -v go >/dev/null || { echo "go is needed to build tendermint" >&2; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
( cd "$work" && go mod download -json "github.com/cometbft/cometbft@$VERSION" >/dev/null )
src=$(go env GOMODCACHE)/github.com/cometbft/cometbft@$VERSION
cp -r "$src" "$work/src" && chmod -R u+w "$work/src"
python3 - "$work/src/go.mod" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
open(p, "w").write(re.sub(r"\nreplace \((?:.|\n)*?\n\)\n", "\n", s))
PY
mkdir -p "$(dirname "$OUT")"
( cd "$work/src" && GOFLAGS=-mod=mod go build -o "$OUT" ./cmd/cometbft )
"$OUT" version
