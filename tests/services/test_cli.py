"""`pmwizard services ...`: --check prints exactly the change --yes then makes; bad input exits 1 with a
message naming the field, writes nothing and shows no traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pmwizard.cli import main
from tests.support.pki import TestPKI
from tests.support.require import planetmint_venv, tendermint_binary

HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def apply_diff(diff: str, before: dict[Path, str]) -> dict[Path, str]:
    """Apply the unified diff `--check` printed to the files' old texts (a minimal `patch`)."""
    after = dict(before)
    lines = [line for line in diff.splitlines(keepends=True) if not line.startswith("# ")]
    i = 0
    while i < len(lines):
        assert lines[i].startswith("--- "), lines[i]
        path = Path(lines[i + 1][len("+++ b"):].rstrip("\n"))
        old = before.get(path, "").splitlines(keepends=True)
        new: list[str] = []
        pos = 0
        i += 2
        while i < len(lines) and lines[i].startswith("@@"):
            m = HUNK.match(lines[i])
            assert m, lines[i]
            start = max(int(m.group(1)) - 1, 0) if m.group(2) != "0" else int(m.group(1))
            n_old = int(m.group(2)) if m.group(2) is not None else 1
            n_new = int(m.group(4)) if m.group(4) is not None else 1
            new += old[pos:start]
            pos = start
            i += 1
            while (n_old or n_new or (i < len(lines) and lines[i].startswith("\\"))) and i < len(lines):
                tag, body = lines[i][:1], lines[i][1:]
                if tag == " ":
                    assert old[pos] == body
                    new.append(body)
                    pos += 1
                    n_old -= 1
                    n_new -= 1
                elif tag == "-":
                    assert old[pos] == body
                    pos += 1
                    n_old -= 1
                elif tag == "+":
                    new.append(body)
                    n_new -= 1
                elif tag == "\\" and lines[i - 1][:1] in " +":  # "\ No newline at end of file"
                    new[-1] = new[-1].rstrip("\n")
                i += 1
        new += old[pos:]
        after[path] = "".join(new)
    return after


@pytest.fixture(autouse=True)
def _state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["services", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(paths: list[Path]) -> dict[Path, str]:
    return {p: p.read_text() for p in paths if p.exists()}


def check_then_yes(capsys: pytest.CaptureFixture[str], argv: list[str], files: list[Path]) -> str:
    before = snapshot(files)
    code, diff, err = run(capsys, *argv, "--check")
    assert code == 0, err
    assert snapshot(files) == before, "--check wrote something"
    code, _out, err = run(capsys, *argv, "--yes")
    assert code == 0, err
    after = snapshot(files)
    assert set(after) == set(files)
    assert apply_diff(diff, before) == after, "--yes did not write exactly what --check showed"
    code, again, _ = run(capsys, *argv, "--check")
    assert (code, again) == (0, "nothing to change\n")
    return diff


def test_planetmint_config_check_is_what_yes_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / ".planetmint"
    path.write_text('{\n    "log": {"level_console": "debug"},\n'
                    '    "wsserver": {"advertised_host": "old.example"}\n}\n')
    diff = check_then_yes(capsys, ["planetmint", "--hostname", "node.example.org", "--output", str(path)], [path])
    assert '+        "advertised_host": "node.example.org",' in diff
    assert '"level_console": "debug"' in path.read_text()


def test_monit_check_is_what_yes_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "monit"
    planetmint = str(planetmint_venv() / "bin" / "planetmint")
    argv = ["monit", "--output", str(out), "--planetmint-bin", planetmint, "--tendermint-bin", tendermint_binary(),
            "--home", str(tmp_path / "tm")]
    diff = check_then_yes(capsys, argv, [out / "monitrc", out / "monit_script"])
    assert "-d 1" in diff and "0700" in diff


def test_tarantool_check_is_what_yes_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init_lua = tmp_path / "init.lua"
    init_lua.write_text("box.cfg{listen = 3303}\n")
    out = tmp_path / "pm"
    diff = check_then_yes(capsys, ["tarantool", "--output", str(out), "--init-lua", str(init_lua)],
                          [out / "tarantool-instance.lua"])
    assert '"127.0.0.1:3303"' in diff


def test_nginx_check_is_what_yes_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cert, key = TestPKI("cli").leaf(["node.example.org"]).write(tmp_path, "site")
    site = tmp_path / "site.conf"
    site.write_text("# an older site\n")
    argv = ["nginx", "--hostname", "node.example.org", "--name", "n1.c.example", "--cert", str(cert),
            "--key", str(key), "--output", str(site)]
    diff = check_then_yes(capsys, argv, [site])
    assert "-# an older site" in diff and "+    server_name node.example.org n1.c.example;" in diff
    assert list(tmp_path.glob("site.conf*")) != [site], "the previous version was not kept"


@pytest.mark.parametrize("argv, field", [
    (["nginx", "--hostname", "node.example.org;evil"], "hostname"),
    (["nginx", "--hostname", "node.example.org", "--name", "a{b}.org"], "--name"),
    (["nginx"], "--hostname"),
    (["planetmint", "--hostname", 'x"y.org'], "hostname"),
    (["nginx", "--hostname", "node.example.org", "--cert", "/tmp/c.pem"], "--cert/--key"),
    (["nginx", "--hostname", "node.example.org", "--cert", "/tmp/a\nb", "--key", "/tmp/k"], "--cert"),
    (["tarantool", "--init-lua", "/nonexistent/init.lua"], "--init-lua"),
    (["monit", "--planetmint-bin", "/nonexistent/planetmint"], "--planetmint-bin"),
])
def test_bad_input_exits_1_naming_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            argv: list[str], field: str) -> None:
    target = tmp_path / "out"
    code, out, err = run(capsys, *argv, "--output", str(target), "--yes")
    assert code == 1 and out == ""
    assert err.startswith("pmwizard: ") and field in err and "Traceback" not in err
    assert not target.exists()


def test_check_or_yes_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["services", "monit"])
    assert exc.value.code == 2
