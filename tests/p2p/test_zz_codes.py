"""Every p2p.handshake code is produced by at least one test of this folder (runs last, by name)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .codes import PRODUCED

CODES = {"ok", "node_id_mismatch", "chain_id_mismatch", "version_mismatch", "refused", "timeout", "not_tendermint"}


def test_every_code_was_produced(request: pytest.FixtureRequest) -> None:
    modules = {Path(str(i.fspath)).name for i in request.session.items}
    if not {"test_handshake_faults.py", "test_tendermint.py"} <= modules:
        pytest.skip("run the whole tests/p2p folder to see the coverage of the codes")
    assert CODES <= PRODUCED, f"codes no test produced: {sorted(CODES - PRODUCED)}"
    assert PRODUCED <= CODES, f"codes outside the catalogue: {sorted(PRODUCED - CODES)}"
