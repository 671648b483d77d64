"""Host names as operators type them: the syntax rules DNS and certificates enforce (RFC 1035/1123, IDNA).

`validate_hostname` returns problems in the operator's words ([] = fine); `validate_host` also accepts an
IP literal (cards of nodes on a LAN or on one machine use `127.0.0.1`); `doubled_suffix` spots the classic
zone-file slip where a name without a trailing dot gets the zone appended again.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata

import idna

_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def _label_to_ascii(label: str) -> str:
    if label.isascii():
        return label.lower()
    # IDNA 2008 with UTS #46 mapping, non-transitional: what registries, browsers and DNS use today.
    # Python's own "idna" codec is IDNA 2003 and maps ß to ss: `straße` would become another domain.
    try:
        return idna.encode(label, uts46=True, transitional=False).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError) as exc:
        raise ValueError(f"the label {label!r} is not a valid international name ({exc})") from None


def to_ascii(name: str) -> str:
    """The name as DNS carries it: IDNA (punycode) labels, lowercase, no trailing dot. Raises ValueError."""
    text = name.strip()
    text = text.removesuffix(".")
    return ".".join(_label_to_ascii(label) if label else "" for label in text.split("."))


def validate_hostname(name: str) -> list[str]:
    """Problems with `name` as a public host name; [] when it is well formed."""
    if not isinstance(name, str) or not name.strip():
        return ["the host name is empty"]
    if _CONTROL.search(name):
        return ["a host name cannot contain spaces or control characters"]
    if name.endswith(".."):
        return ["the name ends with two dots"]
    labels = (name.removesuffix(".")).split(".")
    problems = []
    for label in labels:
        if not label:
            problems.append("the name has an empty label (two dots in a row, or a leading dot)")
            continue
        try:
            ascii_label = _label_to_ascii(label)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if len(ascii_label) > 63:
            problems.append(f"the label {ascii_label[:20]}... is {len(ascii_label)} characters; DNS allows at most 63")
        elif not _LABEL.fullmatch(ascii_label):
            problems.append(f"the label {label!r} may only hold letters, digits and inner hyphens")
        if not problems and _mixed_scripts(label):
            problems.append(f"the label {label!r} mixes alphabets ({', '.join(sorted(_scripts(label)))}): "
                            "letters that look alike are different names; type it in one alphabet")
    if problems:
        return problems
    text = to_ascii(name)
    if len(text) > 253:
        return [f"the name is {len(text)} characters long; DNS allows at most 253"]
    if len(labels) < 2 and text != "localhost":
        return [f"{text!r} is not a full name: use the public name with its domain, e.g. node.{text}.org"]
    if labels[-1].isdigit():
        return ["the last label is all digits: that is an IP address, not a host name"]
    return []


def _scripts(label: str) -> set[str]:
    out = set()
    for ch in label:
        if ch.isalpha():
            name = unicodedata.name(ch, "UNKNOWN")
            out.add(name.split()[0])
    return out


def _mixed_scripts(label: str) -> bool:
    """Latin mixed with Cyrillic or Greek in one label: the classic look-alike (homograph) name."""
    scripts = _scripts(label)
    return "LATIN" in scripts and bool(scripts & {"CYRILLIC", "GREEK"})


def mixed_scripts(text: str) -> bool:
    """A word that mixes Latin with Cyrillic or Greek (a look-alike name); member names are held to it too."""
    return _mixed_scripts(text)


def host_port(host: str, port: int) -> str:
    """`host:port`, an IPv6 address in brackets (`[2001:db8::1]:26656`)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def is_ip(text: str) -> bool:
    """True for an IPv4 or IPv6 literal (brackets allowed)."""
    try:
        ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return False
    return True


def validate_host(text: str) -> list[str]:
    """A host for a peer entry or a card: an IP literal or a well-formed host name."""
    if isinstance(text, str) and is_ip(text):
        if "%" in text:  # Python reads fe80::1%eth0; Tendermint drops the zone and cannot dial what is left
            return [("an IPv6 address with a zone (after %) names an interface of one machine; in persistent_peers "
                     "Tendermint drops the zone and cannot dial the address: give a global address or a host name")]
        return []
    return validate_hostname(text)


def doubled_suffix(name: str) -> str | None:
    """'a.example.org.example.org' -> 'example.org' (a zone appended twice); None when not doubled."""
    try:
        labels = to_ascii(name).split(".")
    except ValueError:
        return None
    for size in range(len(labels) // 2, 1, -1):
        if labels[-size:] == labels[-2 * size:-size]:
            return ".".join(labels[-size:])
    return None


def wire_name(name: str) -> str:
    """The name as DNS carries it (IDNA 2008 A-labels: straße.example is xn--strae-oqa.example); a name
    that has no such form is asked as typed and the server's answer says what is wrong."""
    try:
        return to_ascii(name) if not name.isascii() else name
    except ValueError:
        return name
