"""Live checks that return Findings (SPEC §6): DNS, TLS, certificate files, node reachability, doctor.

    from pmwizard.checks import check_dns, check_tls, run_doctor, DoctorTarget, check_cert_files, csr_plan

Names load lazily, so importing the package stays cheap (dnspython and cryptography load on first use).
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "check_dns": "dnscheck", "check_tls": "tlscheck", "run_doctor": "doctor", "DoctorTarget": "doctor",
    "DoctorContext": "doctor", "MEMBER_CHECKS": "doctor", "check_cert_files": "certfiles", "csr_plan": "certfiles",
    "plan_preview": "certfiles", "check_p2p": "reach", "check_api": "reach", "check_rpc": "reach",
    "check_tarantool": "reach", "Finding": "finding", "Status": "finding", "render_text": "report",
}
__all__ = [  # noqa: RUF022 - the same names as _WHERE
    "DoctorContext",
    "DoctorTarget",
    "Finding",
    "MEMBER_CHECKS",
    "Status",
    "check_api",
    "check_cert_files",
    "check_dns",
    "check_p2p",
    "check_rpc",
    "check_tarantool",
    "check_tls",
    "csr_plan",
    "plan_preview",
    "render_text",
    "run_doctor",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"pmwizard.checks.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'pmwizard.checks' has no attribute {name!r}")
