"""YAML text for the exported playbooks and manifests, written by PyYAML so every value is quoted correctly.

Two additions to PyYAML's safe dumper: multi-line strings become literal blocks (`|`), so a config file
embedded in a ConfigMap reads as the file; and `Unsafe` strings get Ansible's `!unsafe` tag, so a path or
name that happens to contain `{{` is never evaluated as a Jinja template by Ansible.
"""

from __future__ import annotations

from typing import Any

import yaml


class Unsafe(str):
    """A value Ansible must take literally (tagged `!unsafe`)."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        # Indent list items under their key (yamllint's and ansible-lint's expected style).
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value and all(c == "\n" or c == "\t" or c >= " " for c in value) and not value.endswith(" "):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _unsafe(dumper: yaml.SafeDumper, value: Unsafe) -> yaml.ScalarNode:
    return dumper.represent_scalar("!unsafe", str(value), style='"')


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Unsafe, _unsafe)


def dump(doc: Any) -> str:
    """One YAML document, starting with `---`."""
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, explicit_start=True, width=120, allow_unicode=True)


def dump_all(docs: list[Any]) -> str:
    """Several YAML documents in one file, each starting with `---`."""
    return yaml.dump_all(docs, Dumper=_Dumper, sort_keys=False, explicit_start=True, width=120,
                         allow_unicode=True)
