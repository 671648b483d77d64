"""`pmwizard services monit|tarantool|nginx|planetmint`: write one kind of service file, previewed first.

    pmwizard services monit --check                 # the diff; nothing written
    pmwizard services nginx --hostname node.example.org --cert fullchain.pem --key privkey.pem --yes
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pmwizard.cli.common import add_check_yes, add_home, home_arg, info, run_plan

HELP = {
    "monit": "monitrc + helper script supervising planetmint and tendermint (default ~/.planetmint-monit/). "
             "Start it with `monit -c ~/.planetmint-monit/monitrc -d 1`: Monit runs in the background and "
             "checks both programs every second (-d 1), restarting one that died.",
    "tarantool": "Tarantool instance running Planetmint's init.lua on 3303 (start: tarantool <file>)",
    "nginx": "NGINX site: HTTPS 443 -> API 9984, /api/v1/streams/ -> WebSocket 9985, HTTP -> HTTPS",
    "planetmint": "merge database/server/wsserver/tendermint keys into $PLANETMINT_CONFIG_PATH, else ~/.planetmint "
                  "(other keys kept)",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "services", help="write the Monit, Tarantool, NGINX or Planetmint config file (previewed)",
        description="Write one service file as a previewed change: --check prints the diff, --yes writes it.\n"
                    + "\n".join(f"  {k}: {v}" for k, v in HELP.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("kind", choices=sorted(HELP), help="which file to write")
    parser.add_argument("--hostname", help="the node's public DNS name (nginx, planetmint)")
    parser.add_argument("--name", action="append", default=[], metavar="EXTRA",
                        help="another name the site answers to (consortium name); repeatable")
    add_home(parser)
    parser.add_argument("--output", help="monit/tarantool: folder (default ~/.planetmint-monit); "
                        "nginx: site file (default /etc/nginx/sites-available/planetmint); "
                        "planetmint: config file (default $PLANETMINT_CONFIG_PATH, else ~/.planetmint)")
    parser.add_argument("--planetmint-bin", help="planetmint executable (default: the one on PATH)")
    parser.add_argument("--tendermint-bin",
                        help="cometbft/tendermint executable (default: cometbft, else tendermint, on PATH)")
    parser.add_argument("--init-lua", help="Planetmint's init.lua (default: found in the planetmint package)")
    parser.add_argument("--tarantool-port", type=int, default=3303, help="Tarantool port (default 3303)")
    parser.add_argument("--api-port", type=int, default=9984, help="Planetmint HTTP API port (default 9984)")
    parser.add_argument("--ws-port", type=int, default=9985, help="Planetmint WebSocket port (default 9985)")
    parser.add_argument("--rpc-port", type=int, default=26657, help="Tendermint RPC port Planetmint talks to "
                                                                     "(default 26657)")
    parser.add_argument("--cert", help="full chain PEM (default /etc/letsencrypt/live/HOST/fullchain.pem)")
    parser.add_argument("--key", help="private key PEM (default /etc/letsencrypt/live/HOST/privkey.pem)")
    parser.add_argument("--webroot", help="nginx: folder served at /.well-known/acme-challenge/ for `cert issue` "
                                          "(default /var/www/pmwizard-acme)")
    add_check_yes(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pmwizard.render.plans import services_plan

    if bool(args.cert) != bool(args.key):
        from pmwizard.errors import InputError

        raise InputError("<command line>", "--cert/--key", "give both the certificate and its key, or neither")
    out = args.output
    plan = services_plan(
        home_arg(args),
        args.hostname,
        kinds=(args.kind,),
        names=args.name,
        folder=out if args.kind in ("monit", "tarantool") else None,
        nginx_site=out if args.kind == "nginx" else None,
        planetmint_config_path=out if args.kind == "planetmint" else None,
        planetmint_bin=args.planetmint_bin,
        tendermint_bin=args.tendermint_bin,
        init_lua=args.init_lua,
        cert=args.cert,
        key=args.key,
        acme_webroot=args.webroot,
        tarantool_port=args.tarantool_port,
        api_port=args.api_port,
        ws_port=args.ws_port,
        rpc_port=args.rpc_port,
    )
    code = run_plan(plan, args)
    if args.yes and args.kind == "monit":
        from pmwizard.render.monit import DEFAULT_DIR, START_HINT

        folder = Path(out).expanduser().absolute() if out else DEFAULT_DIR
        info(START_HINT.format(rc=folder / "monitrc"))
    return code
