"""`pmwizard export ansible -o DIR (--check|--yes)`: an inventory and a playbook for this member's node.

    pmwizard export ansible --genesis genesis.json --peers cards/ -o deploy/ --check   # the diff
    pmwizard export ansible --genesis genesis.json --peers cards/ -o deploy/ --yes     # write it
    ansible-playbook -i deploy/inventory.ini deploy/playbook.yml --check --diff        # then without --check

The playbook's files are the bytes `configure` and `services` render; key files stay in the node home and
are copied from there by the play (never into DIR).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pmwizard.cli.export_node import add_node_options
from pmwizard.cli.tree import EXAMPLES_HEADING, ExamplesFormatter

EXAMPLES = (
    "  pmwizard export ansible --genesis genesis.json --peers cards/ -o deploy/ --check   # the diff\n"
    "  pmwizard export ansible --genesis genesis.json --peers cards/ -o deploy/ --yes\n"
    "  ansible-playbook -i deploy/inventory.ini deploy/playbook.yml --check --diff\n"
)


def register(targets: argparse._SubParsersAction) -> None:
    p = targets.add_parser(
        "ansible", help="inventory + playbook delivering this node's files (previewed)",
        description="Write an Ansible inventory and playbook for this member's node: Tarantool, Planetmint in a "
                    "venv at a pinned version, the Tendermint 0.34 binary checked by SHA-256, Monit, NGINX; "
                    "the files are the bytes pmwizard renders; config.toml is validated by Tendermint before it "
                    "replaces the old one; key files are copied from the node home once (never replaced, "
                    "never generated on the machine); the play ends with `pmwizard doctor --json`.",
        epilog=EXAMPLES_HEADING + EXAMPLES, formatter_class=ExamplesFormatter)
    add_node_options(p)
    t = p.add_argument_group("the target machine (absolute paths there)")
    t.add_argument("--node-home", help="Tendermint home there (default: the same path as the node home here)")
    t.add_argument("--services-folder", help="Monit and Tarantool files (default ~/.planetmint-monit)")
    t.add_argument("--planetmint-config", help="Planetmint config file (default ~/.planetmint)")
    t.add_argument("--nginx-site", help="NGINX site file (default /etc/nginx/sites-available/planetmint)")
    t.add_argument("--planetmint-venv", default="/opt/planetmint", help="venv for Planetmint (default /opt/planetmint)")
    t.add_argument("--tendermint-path", default="/usr/local/bin/tendermint",
                   help="where the tendermint binary goes (default /usr/local/bin/tendermint)")
    t.add_argument("--tendermint-source", help="tendermint binary to deliver: a path here or an https URL "
                   "(default: `cometbft`, else `tendermint`, on PATH)")
    t.add_argument("--tendermint-sha256", help="its SHA-256 (required for a URL; checked for a path)")
    t.add_argument("--monit-http-port", type=int, default=2812, help="Monit's local web port (default 2812)")
    t.add_argument("--cert", help="TLS full chain there (default: Let's Encrypt's path for the hostname)")
    t.add_argument("--key", help="TLS private key there (the NGINX site names it; the play does not copy it)")
    i = p.add_argument_group("inventory")
    i.add_argument("--inventory-host", help="the machine's name in the inventory (default: the hostname)")
    i.add_argument("--ansible-host", help="address Ansible connects to (default: the inventory name)")
    i.add_argument("--local", action="store_true", help="run on this machine (ansible_connection=local)")
    p.set_defaults(func=run)


def _tendermint(args: argparse.Namespace) -> tuple[str, str]:
    """(source, sha256): a local binary is hashed here; a URL needs the hash given."""
    import hashlib
    import re
    import shutil

    from pmwizard.errors import InputError

    given = (args.tendermint_sha256 or "").lower() or None
    if given is not None and not re.fullmatch(r"[0-9a-f]{64}", given):
        raise InputError("<command line>", "--tendermint-sha256", "expected 64 hex digits")
    # CometBFT 0.34.x installs `cometbft`, older builds `tendermint`
    source = args.tendermint_source or shutil.which("cometbft") or shutil.which("tendermint")
    if not source:
        raise InputError("<command line>", "--tendermint-source", "neither `cometbft` nor `tendermint` is on PATH; "
                         "give the binary to deliver (a path, or an https URL with --tendermint-sha256)")
    if re.match(r"https?://", source):
        if given is None:
            raise InputError("<command line>", "--tendermint-sha256", "is required with a URL source")
        if any(c in source for c in " \t\"'{}%\\") or not source.isprintable():
            raise InputError("<command line>", "--tendermint-source", "the URL has characters a URL cannot have")
        return source, given
    path = Path(source).expanduser().absolute()
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise InputError(str(path), "--tendermint-source", f"cannot read: {exc.strerror}") from None
    if given is not None and given != digest:
        raise InputError(str(path), "--tendermint-sha256", f"the file's SHA-256 is {digest}, not {given}")
    return str(path), digest


def run(args: argparse.Namespace) -> int:
    from pmwizard.cli.common import run_plan
    from pmwizard.cli.export_node import checked_inventory_name, export_plan, print_warnings, read_node_inputs
    from pmwizard.errors import InputError
    from pmwizard.render import ansible
    from pmwizard.render.node_files import NodeLayout, render_node_files

    node = read_node_inputs(args)
    if bool(args.cert) != bool(args.key):
        raise InputError("<command line>", "--cert/--key", "give both the certificate and its key, or neither")
    if not 0 < args.monit_http_port < 65536:
        raise InputError("<command line>", "--monit-http-port", f"{args.monit_http_port} is not a TCP port")
    source, digest = _tendermint(args)
    defaults = NodeLayout(hostname=node.hostname, node_home=node.home)

    def there(value: str | None, default: Path) -> Path:
        return Path(value) if value else default

    layout = NodeLayout(
        hostname=node.hostname, node_home=there(args.node_home, node.home),
        services_folder=there(args.services_folder, defaults.services_folder),
        planetmint_config=there(args.planetmint_config, defaults.planetmint_config),
        nginx_site=there(args.nginx_site, defaults.nginx_site),
        planetmint_venv=Path(args.planetmint_venv), tendermint_path=Path(args.tendermint_path),
        cert=Path(args.cert) if args.cert else None, key=Path(args.key) if args.key else None,
        names=tuple(args.name), tarantool_port=args.tarantool_port, api_port=args.api_port,
        ws_port=args.ws_port, rpc_port=args.rpc_port, monit_http_port=args.monit_http_port)
    files = render_node_files(node.home, node.genesis, layout, moniker=args.moniker, peers=node.cards,
                              init_lua_source=node.init_lua)
    print_warnings(files.notes)
    inventory = checked_inventory_name(args.inventory_host or node.hostname, "--inventory-host")
    opt = ansible.AnsibleOptions(
        keys_from=node.home, tendermint_source=source, tendermint_sha256=digest, inventory_host=inventory,
        ansible_host=checked_inventory_name(args.ansible_host, "--ansible-host") if args.ansible_host else None,
        local=args.local)
    out = Path(args.output).expanduser().absolute()
    code = run_plan(export_plan(out, ansible.export_files(files, layout, opt)), args)
    if args.yes:
        from pmwizard.core.shown import for_shell

        print(f"then: ansible-playbook -i {for_shell(str(out / 'inventory.ini'))} "
              f"{for_shell(str(out / 'playbook.yml'))} --check --diff   (and again without --check)")
    return code
