"""services_plan: the Monit, Tarantool, NGINX and Planetmint-config files of one node as one Plan.

`pmwizard services <kind>` builds it for one kind; `configure` and the wizard's configure step for all.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from pmwizard.core.paths import tendermint_home
from pmwizard.core.plan import Plan
from pmwizard.errors import InputError
from pmwizard.render import monit, nginx, planetmint_config, tarantool

KINDS = ("monit", "tarantool", "nginx", "planetmint")
# CometBFT 0.34.x (what Planetmint 2.5 runs on today) installs `cometbft`; older builds `tendermint`
TENDERMINT_PROGRAMS = ("cometbft", "tendermint")


def services_plan(
    home: Path | str | None,
    hostname: str | None,
    *,
    kinds: Sequence[str] = KINDS,
    names: Sequence[str] = (),
    folder: Path | str | None = None,
    nginx_site: Path | str | None = None,
    planetmint_config_path: Path | str | None = None,
    planetmint_bin: str | None = None,
    tendermint_bin: str | None = None,
    tarantool_bin: str | None = None,
    init_lua: str | None = None,
    cert: Path | str | None = None,
    key: Path | str | None = None,
    acme_webroot: Path | str | None = None,
    tarantool_port: int = tarantool.PLANETMINT_TARANTOOL_PORT,
    monit_http_port: int = 2812,
    api_port: int = 9984,
    ws_port: int = 9985,
    rpc_port: int = 26657,
    supervise_tarantool: bool | None = None,
) -> Plan:
    """The files for `kinds` (default all four). `home` is the node home (None: as core.paths.choose_home
    picks it); `folder` holds Monit's and Tarantool's files (default ~/.planetmint-monit);
    `hostname` is required for nginx and planetmint. Raises InputError naming the bad value."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise InputError("<command line>", "kind", f"unknown service {unknown[0]!r}; one of {', '.join(KINDS)}")
    tm_home = tendermint_home(home).absolute()
    out = Path(folder).expanduser().absolute() if folder else monit.DEFAULT_DIR
    plan = Plan()
    if ("nginx" in kinds or "planetmint" in kinds) and not hostname:
        raise InputError("<command line>", "--hostname", "is needed for the NGINX site and the Planetmint "
                         "config (the public name clients use)")
    tsetup = None
    if "tarantool" in kinds:
        tsetup = tarantool.TarantoolSetup(
            folder=out,
            init_lua=tarantool.find_init_lua(init_lua, planetmint_bin),
            port=tarantool_port,
        )
    if "monit" in kinds:
        # Monit starts the database too when its instance file is written and a tarantool is known (None:
        # when one is given or on PATH; False where something else starts it, as the Ansible play does)
        wanted = supervise_tarantool
        if wanted is None:
            wanted = bool(tarantool_bin or shutil.which("tarantool"))
        supervise_db = tsetup is not None and wanted
        setup = monit.MonitSetup(
            folder=out,
            planetmint_bin=monit.find_program("planetmint", planetmint_bin, "--planetmint-bin"),
            tendermint_bin=monit.find_program(TENDERMINT_PROGRAMS, tendermint_bin, "--tendermint-bin"),
            tendermint_home=tm_home,
            http_port=monit_http_port,
            tarantool_bin=monit.find_program("tarantool", tarantool_bin, "--tarantool-bin") if supervise_db else None,
            tarantool_instance=tsetup.instance if supervise_db and tsetup is not None else None,
        )
        plan.add(setup.monitrc, monit.monitrc_text(setup), mode=0o700, dir_mode=0o700,
                 notes=["Monit requires its control file to be 0700",
                        monit.START_HINT.format(rc=setup.monitrc),
                        "Monit also starts and watches Tarantool (planetmint depends on it)" if supervise_db else
                        "Tarantool is not supervised (no tarantool found): start it before Monit"])
        plan.add(setup.script, monit.script_text(setup), mode=0o700, dir_mode=0o700,
                 notes=["helper script the monitrc calls to start/stop planetmint and tendermint"])
    if tsetup is not None:
        plan.add(tsetup.instance, tarantool.instance_text(tsetup), mode=0o644, dir_mode=0o700,
                 notes=[f"Monit starts it (with the monitrc), or by hand: tarantool {tsetup.instance}"
                        if "monit" in kinds else f"start the database with: tarantool {tsetup.instance}"])
    if "nginx" in kinds:
        assert hostname is not None
        host = nginx.checked_hostname(hostname)
        default_cert, default_key = nginx.default_cert_paths(host)
        site = nginx.NginxSite(
            hostname=hostname,
            names=tuple(names),
            cert=Path(cert).expanduser().absolute() if cert else default_cert,
            key=Path(key).expanduser().absolute() if key else default_key,
            api_upstream=f"127.0.0.1:{api_port}",
            ws_upstream=f"127.0.0.1:{ws_port}",
        )
        if acme_webroot:
            site = replace(site, acme_webroot=Path(acme_webroot).expanduser().absolute())
        path = Path(nginx_site).expanduser().absolute() if nginx_site else nginx.DEFAULT_SITE
        plan.add(path, nginx.site_text(site), notes=["then: nginx -t && systemctl reload nginx"])
    if "planetmint" in kinds:
        assert hostname is not None
        path = (Path(planetmint_config_path).expanduser().absolute() if planetmint_config_path
                else planetmint_config.default_path())
        settings = planetmint_config.PlanetmintSettings(hostname=hostname, tarantool_port=tarantool_port,
                                                        api_port=api_port, ws_port=ws_port,
                                                        tendermint_rpc_port=rpc_port)
        plan.add(path, planetmint_config.config_text(path, settings), mode=0o600,
                 notes=["other keys in the file are kept; wsserver is advertised as wss://<hostname>:443"])
    return plan
