"""What a release carries, checked where a slip would go unnoticed: one version source, the license as
PEP 639 states it, a changelog entry for the version, an sdist that brings the tests (scripts/check-install.sh
then builds both artifacts and installs the wheel)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pmwizard

ROOT = Path(__file__).resolve().parents[2]


def test_one_version_source() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "pmwizard.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", pmwizard.__version__)
    literals = [p for p in (ROOT / "pmwizard").rglob("*.py")
                if re.search(rf"[\"']{re.escape(pmwizard.__version__)}[\"']", p.read_text())]
    assert literals == [ROOT / "pmwizard" / "__init__.py"], literals


def test_license_changelog_and_sdist_contents() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "Apache-2.0" and project["project"]["license-files"] == ["LICENSE"]
    assert project["build-system"]["requires"] == ["setuptools>=77"]  # the first with PEP 639 license fields
    lines = (ROOT / "LICENSE").read_text().splitlines()
    assert lines[1].strip() == "Apache License" and lines[2].strip() == "Version 2.0, January 2004"
    assert "END OF TERMS AND CONDITIONS" in (ROOT / "LICENSE").read_text()
    assert f"## [{pmwizard.__version__}]" in (ROOT / "CHANGELOG.md").read_text()
    manifest = (ROOT / "MANIFEST.in").read_text().splitlines()
    assert "graft tests" in manifest and "include README.md CHANGELOG.md LICENSE" in manifest
    assert {"Homepage", "Changelog"} <= set(project["project"]["urls"])
    classifiers = project["project"]["classifiers"]
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # PEP 639: the expression says it
