"""The trust store is read and indexed once per process (issue 17): every TLS check of a doctor run gets the
same anchors and index; a --ca-file edited between checks (the wizard runs for hours) is read again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pmwizard.checks.certs import _trust_index, certificate_findings, system_anchors, trust_anchors
from pmwizard.errors import InputError
from tests.support.pki import TestPKI


def test_the_same_anchors_and_index_for_every_check(tmp_path: Path) -> None:
    pki = TestPKI("cache one")
    root = pki.write_root(tmp_path / "root.pem")
    first = trust_anchors(root)
    assert trust_anchors(root) is first and trust_anchors() is system_anchors()
    assert len(first) == len(system_anchors()) + 1
    assert _trust_index(first) is _trust_index(trust_anchors(root))
    leaf = pki.leaf(["a.cache.test"])
    found = certificate_findings("a.cache.test:443", "a.cache.test", [leaf.cert, *leaf.chain], ["a.cache.test"],
                                 trust_anchors(root))
    assert [f.code for f in found if f.check == "tls.chain"] == ["ok"]


def test_an_edited_ca_file_is_read_again(tmp_path: Path) -> None:
    one, two = TestPKI("cache first"), TestPKI("cache second")
    path = one.write_root(tmp_path / "root.pem")
    before = trust_anchors(path)
    two.write_root(path)
    os.utime(path, ns=(10**18, 10**18))  # a new modification time, whatever the clock's resolution
    after = trust_anchors(path)
    assert after is not before and after[-1].subject != before[-1].subject
    leaf = two.leaf(["b.cache.test"])
    found = certificate_findings("b:443", "b.cache.test", [leaf.cert, *leaf.chain], ["b.cache.test"], after)
    assert [f.code for f in found if f.check == "tls.chain"] == ["ok"]


def test_a_missing_ca_file_is_still_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.pem"):
        trust_anchors(tmp_path / "nope.pem")
