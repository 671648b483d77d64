"""Host-name rules: what DNS and certificates would refuse is refused here, with the reason."""

from __future__ import annotations

import pytest

from pmwizard.core.hostname import doubled_suffix, to_ascii, validate_host, validate_hostname


@pytest.mark.parametrize("name", ["node.example.org", "node.example.org.", "a-b.c0.example", "localhost",
                                  "bücher.example", "x" * 63 + ".example.org", "NODE.Example.ORG"])
def test_good_names(name: str) -> None:
    assert validate_hostname(name) == []


@pytest.mark.parametrize(("name", "words"), [
    ("", "empty"), ("node", "not a full name"), ("-node.example.org", "letters, digits"),
    ("node-.example.org", "letters, digits"), ("no de.example.org", "spaces"), ("a..b.org", "empty label"),
    ("node.example.org..", "two dots"), ("x" * 64 + ".org", "at most 63"),
    (".".join(["abcdefghi"] * 26) + ".org", "at most 253"), ("under_score.example.org", "letters, digits"),
    ("10.0.0.1", "IP address"), ("node.example.org\n", "control"), ("https://node.example.org", "letters, digits")])
def test_bad_names(name: str, words: str) -> None:
    problems = validate_hostname(name)
    assert problems and any(words in p for p in problems), problems


def test_ip_literals_are_hosts_but_not_hostnames() -> None:
    assert validate_host("127.0.0.1") == [] and validate_host("::1") == [] and validate_host("[::1]") == []
    assert validate_hostname("127.0.0.1")


def test_idna_and_doubled_suffix() -> None:
    assert to_ascii("Bücher.Example.") == "xn--bcher-kva.example"
    assert doubled_suffix("node.example.org.example.org") == "example.org"
    assert doubled_suffix("a.b.c.b.c") == "b.c"
    assert doubled_suffix("node.example.org") is None
    assert doubled_suffix("org.org") is None
