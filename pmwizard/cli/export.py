"""`pmwizard export TARGET`: the files pmwizard renders, delivered for the tools an operator already runs.

Each target lives in its own module `pmwizard.cli.export_<target>` with `register(subparsers)`; a target
whose module is not there is simply not offered. Like every write, an export is previewed (`--check`) and
written atomically with backups (`--yes`).
"""

from __future__ import annotations

import argparse

TARGETS = ("ansible", "kubernetes", "prometheus")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("export",
                            help="write deployment files (Ansible, Kubernetes, Prometheus) from the same plan")
    targets = parser.add_subparsers(dest="target", metavar="TARGET", required=True)
    from pmwizard.cli import register_modules

    register_modules(targets, "pmwizard.cli.export_", TARGETS)
