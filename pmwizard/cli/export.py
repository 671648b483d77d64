"""`pmwizard export TARGET`: the files pmwizard renders, delivered for the tools an operator already runs.

Each target lives in its own module `pmwizard.cli.export_<target>` with `register(subparsers)`; a target
whose module is not there is simply not offered. Like every write, an export is previewed (`--check`) and
written atomically with backups (`--yes`).
"""

from __future__ import annotations

import argparse
import importlib

TARGETS = ("ansible", "kubernetes", "prometheus")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("export",
                            help="write deployment files (Ansible, Kubernetes, Prometheus) from the same plan")
    targets = parser.add_subparsers(dest="target", metavar="TARGET", required=True)
    for name in TARGETS:
        try:
            module = importlib.import_module(f"pmwizard.cli.export_{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"pmwizard.cli.export_{name}":
                continue
            raise
        module.register(targets)
