#!/usr/bin/env bash
# Is what we ship installable where operators run it? Builds the sdist and, from it, the wheel (so the sdist
# is complete); checks what each must carry (the sdist: the tests; the wheel: LICENSE, the version, the
# catalogue); installs the wheel into a fresh venv made from the distribution's own /usr/bin/python3
# (Debian's python3-venv) and runs the console script there.
# Usage: bash scripts/check-install.sh   ($PMWIZARD_BUILD_PYTHON builds, default python3;
#        $PMWIZARD_SYSTEM_PYTHON makes the venv, default /usr/bin/python3)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PMWIZARD_BUILD_PYTHON:-python3}"
SYS_PY="${PMWIZARD_SYSTEM_PYTHON:-/usr/bin/python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$PY" -m build --outdir "$work/dist" . >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
version="$("$PY" -c 'import re; print(re.search(r"__version__ = \"(.+)\"", open("pmwizard/__init__.py").read())[1])')"
sdist="$work/dist/pmwizard-$version.tar.gz"
wheel="$work/dist/pmwizard-$version-py3-none-any.whl"
"$PY" - "$sdist" "$wheel" "$version" <<'EOF'
import sys, tarfile, zipfile
sdist, wheel, version = sys.argv[1:]
names = {n.split("/", 1)[1] for n in tarfile.open(sdist).getnames() if "/" in n}
need = {"LICENSE", "CHANGELOG.md", "README.md", "tests/conftest.py", "tests/fixtures/spec-check-catalogue.md",
        "scripts/test.sh", "pmwizard/checks/catalogue.py"}
assert need <= names, f"the sdist lacks {sorted(need - names)}"
assert not any("__pycache__" in n for n in names), "the sdist carries __pycache__"
z = zipfile.ZipFile(wheel)
files = set(z.namelist())
dist_info = f"pmwizard-{version}.dist-info"
assert f"{dist_info}/licenses/LICENSE" in files, "the wheel lacks its LICENSE"
assert "pmwizard/checks/catalogue.py" in files and not any(n.startswith("tests/") for n in files)
meta = z.read(f"{dist_info}/METADATA").decode()
for line in (f"Version: {version}", "License-Expression: Apache-2.0", "License-File: LICENSE",
             "Requires-Python: >=3.11", "Project-URL: Changelog"):
    assert line in meta, f"METADATA lacks {line!r}"
print(f"sdist ({len(names)} files) and wheel ({len(files)} files) carry what they must")
EOF
"$SYS_PY" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q "$wheel"
got="$("$work/venv/bin/pmwizard" --version)"
[ "$got" = "pmwizard $version" ] || { echo "pmwizard --version said: $got" >&2; exit 1; }
mkdir "$work/home"
HOME="$work/home" XDG_STATE_HOME="$work/state" "$work/venv/bin/pmwizard" -q identity init
HOME="$work/home" XDG_STATE_HOME="$work/state" "$work/venv/bin/pmwizard" identity show --json \
  | "$work/venv/bin/python" -c 'import json, sys; d = json.load(sys.stdin)
assert d["schema"] == "pmwizard/identity/1" and d["home_reason"] == "~/.cometbft (it exists)", d'
"$work/venv/bin/pmwizard" check --list --json | "$work/venv/bin/python" -c 'import json, sys
assert len(json.load(sys.stdin)["checks"]) >= 18'
echo "install check: the wheel installs into a fresh venv of $("$SYS_PY" --version) and pmwizard $version runs"
