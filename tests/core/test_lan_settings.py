"""configure's LAN/same-host decision (issue 11.2): not only IP literals, also names that resolve to this
machine or several peers sharing one address. Name resolution is injected (the CLI test below uses a real DNS
server on loopback)."""

from __future__ import annotations

from pmwizard.core.peers import is_this_machine, lan_reason


def test_literal_private_and_loopback_addresses_need_the_lan_settings() -> None:
    assert "private or loopback" in lan_reason(["127.0.0.1"])
    assert "private or loopback" in lan_reason(["10.1.2.3", "8.8.8.8"])
    assert lan_reason(["8.8.8.8", "1.1.1.1"]) is None


def test_names_resolving_to_one_shared_address_need_them() -> None:
    table = {"a.consortium.org": ["93.184.216.34"], "b.consortium.org": ["93.184.216.34"],
             "c.consortium.org": ["8.8.8.8"]}
    why = lan_reason(list(table), table.get, is_local=lambda ip: False)
    assert why and "a.consortium.org, b.consortium.org share one address (93.184.216.34)" in why
    assert lan_reason(["a.consortium.org", "c.consortium.org"], table.get, is_local=lambda ip: False) is None


def test_a_name_resolving_to_this_machine_or_to_loopback_needs_them() -> None:
    assert "resolves to this machine (93.184.216.99)" in lan_reason(
        ["me.consortium.org"], {"me.consortium.org": ["93.184.216.99"]}.get, is_local=lambda ip: ip == "93.184.216.99")
    assert "loopback address 127.0.0.2" in lan_reason(["n.test"], {"n.test": ["127.0.0.2"]}.get)


def test_without_a_resolver_names_are_not_judged() -> None:
    assert lan_reason(["a.consortium.org", "b.consortium.org"]) is None


def test_this_machine_is_what_a_socket_can_bind_to() -> None:
    assert is_this_machine("127.0.0.1")
    assert not is_this_machine("192.0.2.55")  # TEST-NET-1: never configured here
    assert not is_this_machine("not-an-ip")
