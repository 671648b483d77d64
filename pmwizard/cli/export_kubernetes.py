"""`pmwizard export kubernetes -o DIR (--check|--yes)`: a StatefulSet, ConfigMaps, Services and an Ingress.

    pmwizard export kubernetes --genesis genesis.json --peers cards/ -o k8s/ --check   # the diff
    pmwizard export kubernetes --genesis genesis.json --peers cards/ -o k8s/ --yes     # write it
    kubectl create secret generic planetmint-keys --from-file=...   (printed; the keys never go into DIR)
    kubectl apply -f k8s/
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pmwizard.cli.export_node import add_node_options
from pmwizard.cli.tree import EXAMPLES_HEADING, ExamplesFormatter

EXAMPLES = (
    "  pmwizard export kubernetes --genesis genesis.json --peers cards/ -o k8s/ --check   # the diff\n"
    "  pmwizard export kubernetes --genesis genesis.json --peers cards/ -o k8s/ --yes --namespace alice\n"
    "  kubectl apply -f k8s/     # after the printed `kubectl create secret generic ...`\n"
)


def register(targets: argparse._SubParsersAction) -> None:
    p = targets.add_parser(
        "kubernetes", help="StatefulSet + ConfigMaps + Services + Ingress for this node (previewed)",
        description="Write Kubernetes manifests for this member's node: an apps/v1 StatefulSet (one pod: Tendermint "
                    "0.34, Planetmint 2.5, Tarantool; volume claims for Tendermint's data and Tarantool), "
                    "ConfigMaps with pmwizard's genesis.json (SHA-256 annotated), config.toml (with "
                    "p2p.external_address), Planetmint config, Tarantool instance and init.lua, a P2P Service, "
                    "an Ingress for the API and /api/v1/streams/. Keys: a Secret from the node home, made by "
                    "the printed kubectl command; never in the manifests.",
        epilog=EXAMPLES_HEADING + EXAMPLES, formatter_class=ExamplesFormatter)
    add_node_options(p)
    k = p.add_argument_group("cluster")
    k.add_argument("--resource-name", default="planetmint", help="name of the StatefulSet and its objects")
    k.add_argument("--namespace", help="namespace for every object (default: kubectl's current one)")
    k.add_argument("--external-address", help="HOST:PORT peers dial (p2p.external_address; default: "
                   "the hostname and this node's P2P port)")
    k.add_argument("--tendermint-image", default="cometbft/cometbft:v0.34.35",
                   help="a CometBFT/Tendermint 0.34 image (default cometbft/cometbft:v0.34.35)")
    k.add_argument("--planetmint-image", default="planetmint/planetmint:v2.5.3",
                   help="a Planetmint 2.5 image with `planetmint` and python3 (default planetmint/planetmint:v2.5.3)")
    k.add_argument("--tarantool-image", default="tarantool/tarantool:2.11",
                   help="a Tarantool 2.x image (default tarantool/tarantool:2.11)")
    k.add_argument("--ingress-class", default="nginx", help="ingressClassName (default nginx)")
    k.add_argument("--tls-secret", help="TLS Secret for the Ingress (default NAME-tls)")
    k.add_argument("--storage", default="20Gi", help="size of each volume claim (default 20Gi)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pmwizard.cli.common import run_plan
    from pmwizard.cli.export_node import export_plan, print_warnings, read_node_inputs
    from pmwizard.core.shown import for_shell
    from pmwizard.render import kubernetes as k8s
    from pmwizard.render.node_files import render_node_files

    node = read_node_inputs(args)
    opt = k8s.checked_options(k8s.KubernetesOptions(
        name=args.resource_name, namespace=args.namespace, external_address=args.external_address or "",
        tendermint_image=args.tendermint_image, planetmint_image=args.planetmint_image,
        tarantool_image=args.tarantool_image, ingress_class=args.ingress_class, tls_secret=args.tls_secret or "",
        tendermint_storage=args.storage, tarantool_storage=args.storage))
    layout = k8s.layout_for_pod(node.hostname, tuple(args.name), args.tarantool_port, args.api_port, args.ws_port,
                                args.rpc_port)
    files = render_node_files(node.home, node.genesis, layout, moniker=args.moniker, peers=node.cards,
                              init_lua_source=node.init_lua)
    print_warnings(files.notes)
    out = Path(args.output).expanduser().absolute()
    docs = {name: text.encode("utf-8") for name, text in k8s.manifests(files, layout, opt).items()}
    code = run_plan(export_plan(out, docs), args)
    print("create the keys' Secret from the node home (the keys never go into the manifests):")
    print("  " + " ".join(for_shell(a) for a in k8s.secret_command(node.home, opt)))
    print(f"then: kubectl apply -f {for_shell(str(out))}")
    return code
