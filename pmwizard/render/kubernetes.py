"""Kubernetes manifests for one member's node: a StatefulSet whose one pod runs Tendermint 0.34, Planetmint 2.5
and Tarantool side by side (ABCI and the database on localhost), with pmwizard's own files in ConfigMaps.

Why it looks like this (and not like the template in Planetmint's docs):
- current APIs only (apps/v1, networking.k8s.io/v1); the docs' apps/v1beta1 and extensions/v1beta1 kinds are
  refused by every Kubernetes schema since 1.16.
- the keys are never in a manifest and never generated in the pod: a Secret made from the existing home by
  the printed `kubectl create secret generic` command, mounted read-only.
- genesis.json, config.toml, the Planetmint config, the Tarantool instance and Planetmint's init.lua are the
  bytes pmwizard renders (render.node_files), with the changes a pod needs (all shown in the preview):
  config.toml gets `p2p.external_address` (the P2P Service's public address, which peers dial) and keeps
  its address book on the data volume (config/ holds read-only mounts); Planetmint listens on 0.0.0.0
  inside the pod so the Ingress can reach it (there is no NGINX in front).
- the genesis's SHA-256 is an annotation on its ConfigMap and on the pod template: a new genesis rolls the pod.
- readiness is Tendermint's RPC `/status` saying `catching_up: false`, asked from the Planetmint container
  (Python is there; the RPC listens on the pod's localhost only).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import tomlkit

from pmwizard.errors import InputError
from pmwizard.render.node_files import KEY_FILES, STATE_FILES, NodeFiles, NodeLayout
from pmwizard.render.yamltext import dump_all

TM_HOME = Path("/tendermint")
DATA = Path("/var/lib/planetmint-node")  # Tarantool's volume; its instance folder
CONFIG_DIR = "/etc/pmwizard"
PLANETMINT_CONFIG = Path("/etc/pmwizard/planetmint.json")
ABCI_PORT = 26658
GENESIS_ANNOTATION = "pmwizard/genesis-sha256"
FS_GROUP = 1000
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?")

READINESS = (
    "import json, sys, urllib.request\n"
    "status = json.load(urllib.request.urlopen('http://127.0.0.1:{port}/status', timeout=3))\n"
    "sys.exit(1 if status['result']['sync_info']['catching_up'] else 0)\n"
)


@dataclass(frozen=True)
class KubernetesOptions:
    """Names, images and sizes: what a cluster decides and pmwizard cannot know."""

    name: str = "planetmint"
    namespace: str | None = None
    external_address: str = ""  # host:port peers dial; default: the hostname and this node's P2P port
    tendermint_image: str = "cometbft/cometbft:v0.34.35"
    planetmint_image: str = "planetmint/planetmint:v2.5.3"
    tarantool_image: str = "tarantool/tarantool:2.11"
    seed_image: str = "busybox:1.36"
    ingress_class: str = "nginx"
    tls_secret: str = ""
    tendermint_storage: str = "20Gi"
    tarantool_storage: str = "20Gi"


def layout_for_pod(hostname: str, names: tuple[str, ...], tarantool_port: int, api_port: int, ws_port: int,
                   rpc_port: int) -> NodeLayout:
    """Where the files live inside the pod; Tarantool stays in the foreground (it is the container)."""
    return NodeLayout(hostname=hostname, node_home=TM_HOME, services_folder=DATA, planetmint_config=PLANETMINT_CONFIG,
                      names=names, tarantool_port=tarantool_port, api_port=api_port, ws_port=ws_port,
                      rpc_port=rpc_port, tarantool_background=False)


def checked_options(opt: KubernetesOptions) -> KubernetesOptions:
    """Refuse names Kubernetes would refuse, with the option that carries them."""
    for option, value in (("--resource-name", opt.name), ("--namespace", opt.namespace)):
        if value is not None and not _DNS_LABEL.fullmatch(value):
            raise InputError("<command line>", option, f"{value!r}: lowercase letters, digits and '-', at most 42")
    for option, value in (("--tendermint-image", opt.tendermint_image), ("--planetmint-image", opt.planetmint_image),
                          ("--tarantool-image", opt.tarantool_image), ("--storage", opt.tendermint_storage),
                          ("--storage", opt.tarantool_storage), ("--ingress-class", opt.ingress_class)):
        if not value or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/:@-]*", value):
            raise InputError("<command line>", option, f"{value!r} is not usable here")
    host, _, port = opt.external_address.rpartition(":")
    if opt.external_address and (not host or not port.isdigit() or not 0 < int(port) < 65536
                                 or not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]+", host)):
        raise InputError("<command line>", "--external-address", f"{opt.external_address!r}: expected HOST:PORT")
    return opt


def pod_config_toml(text: bytes, external_address: str) -> bytes:
    """pmwizard's config.toml with `[p2p] external_address` set, and the address book kept on the data volume
    (config/ holds read-only mounts in the pod); every other line kept."""
    doc = tomlkit.parse(text.decode("utf-8"))
    if "p2p" not in doc:
        doc["p2p"] = tomlkit.table()
    doc["p2p"]["external_address"] = external_address
    doc["p2p"]["addr_book_file"] = "data/addrbook.json"
    return tomlkit.dumps(doc).encode("utf-8")


def pod_planetmint_config(text: bytes) -> bytes:
    """pmwizard's Planetmint config, listening on the pod's address instead of localhost only."""
    doc = json.loads(text)
    doc["server"]["bind"] = "0.0.0.0:" + doc["server"]["bind"].rpartition(":")[2]
    doc["wsserver"]["host"] = "0.0.0.0"
    return (json.dumps(doc, indent=4, ensure_ascii=False) + "\n").encode("utf-8")


def secret_command(home: Path, opt: KubernetesOptions) -> list[str]:
    """argv of the `kubectl create secret generic` that puts the home's key files into the cluster."""
    argv = ["kubectl", "create", "secret", "generic", f"{opt.name}-keys"]
    if opt.namespace:
        argv += ["--namespace", opt.namespace]
    for rel in (*KEY_FILES, *STATE_FILES):
        argv.append(f"--from-file={PurePosixPath(rel).name}={home / rel}")
    return argv


def _meta(name: str, opt: KubernetesOptions, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if opt.namespace:
        meta["namespace"] = opt.namespace
    meta["labels"] = {"app.kubernetes.io/name": "planetmint", "app.kubernetes.io/instance": opt.name,
                      "app.kubernetes.io/managed-by": "pmwizard"}
    meta.update(extra)
    return meta


def manifests(node: NodeFiles, layout: NodeLayout, opt: KubernetesOptions) -> dict[str, str]:
    """The export folder's YAML files by name: configmaps, statefulset, services, ingress."""
    checked_options(opt)
    external = opt.external_address or f"{layout.hostname}:{node.p2p_port}"
    genesis = node.by_name("genesis.json")
    selector = {"app.kubernetes.io/name": "planetmint", "app.kubernetes.io/instance": opt.name}
    config_data = {
        "config.toml": pod_config_toml(node.by_name("config.toml").data, external).decode("utf-8"),
        "planetmint.json": pod_planetmint_config(node.by_name("planetmint.json").data).decode("utf-8"),
        "tarantool-instance.lua": node.by_name("tarantool-instance.lua").data.decode("utf-8"),
        "planetmint-init.lua": node.by_name("planetmint-init.lua").data.decode("utf-8"),
    }
    configmaps = [
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": _meta(f"{opt.name}-genesis", opt, annotations={GENESIS_ANNOTATION: genesis.sha256,
                                                                     "pmwizard/chain-id": node.chain_id}),
         "data": {"genesis.json": genesis.data.decode("utf-8")}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(f"{opt.name}-config", opt), "data": config_data},
    ]
    p2p, rpc = node.p2p_port, layout.rpc_port

    def file_mount(volume: str, key: str, at: Path | str, read_only: bool = True) -> dict[str, Any]:
        return {"name": volume, "mountPath": str(at), "subPath": key, "readOnly": read_only}

    tendermint = {
        "name": "tendermint", "image": opt.tendermint_image, "args": ["node", "--home", str(TM_HOME)],
        "env": [{"name": "TMHOME", "value": str(TM_HOME)}, {"name": "CMTHOME", "value": str(TM_HOME)}],
        "ports": [{"name": "p2p", "containerPort": p2p}],
        "volumeMounts": [
            {"name": "tendermint-data", "mountPath": str(TM_HOME / "data")},
            file_mount("genesis", "genesis.json", TM_HOME / "config" / "genesis.json"),
            file_mount("config", "config.toml", TM_HOME / "config" / "config.toml"),
            *(file_mount("keys", PurePosixPath(rel).name, TM_HOME / rel) for rel in KEY_FILES),
        ]}
    planetmint = {
        "name": "planetmint", "image": opt.planetmint_image, "command": ["planetmint", "start"],
        "env": [{"name": "PLANETMINT_CONFIG_PATH", "value": str(PLANETMINT_CONFIG)}],
        "ports": [{"name": "api", "containerPort": layout.api_port}, {"name": "ws", "containerPort": layout.ws_port}],
        "volumeMounts": [file_mount("config", "planetmint.json", PLANETMINT_CONFIG)],
        "readinessProbe": {"exec": {"command": ["python3", "-c", READINESS.format(port=int(rpc))]},
                           "initialDelaySeconds": 10, "periodSeconds": 10, "timeoutSeconds": 5}}
    tarantool = {
        "name": "tarantool", "image": opt.tarantool_image,
        "command": ["tarantool", f"{CONFIG_DIR}/tarantool-instance.lua"],
        "volumeMounts": [{"name": "tarantool-data", "mountPath": str(DATA)},
                         file_mount("config", "tarantool-instance.lua", f"{CONFIG_DIR}/tarantool-instance.lua"),
                         file_mount("config", "planetmint-init.lua", layout.init_lua)]}
    state = PurePosixPath(STATE_FILES[0])
    seed = {
        "name": "validator-state", "image": opt.seed_image,
        "command": ["sh", "-c", f'test -f "$1" || cp /keys/{state.name} "$1"', "seed",
                    str(TM_HOME / STATE_FILES[0])],
        "volumeMounts": [{"name": "tendermint-data", "mountPath": str(TM_HOME / "data")},
                         {"name": "keys", "mountPath": "/keys", "readOnly": True}]}
    claim = {"tendermint-data": opt.tendermint_storage, "tarantool-data": opt.tarantool_storage}
    statefulset = {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": _meta(opt.name, opt),
        "spec": {
            "replicas": 1, "serviceName": opt.name, "selector": {"matchLabels": selector},
            "template": {
                "metadata": {"labels": dict(selector), "annotations": {GENESIS_ANNOTATION: genesis.sha256}},
                "spec": {
                    # Every container gets this group: the keys (0440) and both volumes are readable by
                    # whatever user each image runs as.
                    "securityContext": {"fsGroup": FS_GROUP},
                    "initContainers": [seed], "containers": [tarantool, planetmint, tendermint],
                    "volumes": [
                        {"name": "genesis", "configMap": {"name": f"{opt.name}-genesis"}},
                        {"name": "config", "configMap": {"name": f"{opt.name}-config"}},
                        {"name": "keys", "secret": {"secretName": f"{opt.name}-keys", "defaultMode": 0o440}},
                    ]}},
            "volumeClaimTemplates": [
                {"metadata": {"name": n}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                   "resources": {"requests": {"storage": size}}}}
                for n, size in claim.items()]}}
    services = [
        {"apiVersion": "v1", "kind": "Service", "metadata": _meta(opt.name, opt),
         "spec": {"clusterIP": "None", "selector": selector,
                  "ports": [{"name": "p2p", "port": p2p, "targetPort": "p2p"}]}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": _meta(f"{opt.name}-p2p", opt, annotations={"pmwizard/p2p-external-address": external}),
         "spec": {"type": "LoadBalancer", "selector": selector,
                  "ports": [{"name": "p2p", "port": int(external.rpartition(":")[2]), "targetPort": "p2p"}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": _meta(f"{opt.name}-api", opt),
         "spec": {"selector": selector, "ports": [{"name": "api", "port": layout.api_port, "targetPort": "api"},
                                                  {"name": "ws", "port": layout.ws_port, "targetPort": "ws"}]}},
    ]
    hosts = [layout.hostname, *layout.names]
    backend = {"name": f"{opt.name}-api"}
    ingress = {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": _meta(opt.name, opt, annotations={
            "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
            "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600",
            "nginx.ingress.kubernetes.io/configuration-snippet":
                "proxy_set_header Upgrade $http_upgrade;\nproxy_set_header Connection \"upgrade\";\n"}),
        "spec": {
            "ingressClassName": opt.ingress_class,
            "tls": [{"hosts": hosts, "secretName": opt.tls_secret or f"{opt.name}-tls"}],
            "rules": [{"host": h, "http": {"paths": [
                {"path": "/api/v1/streams/", "pathType": "Prefix",
                 "backend": {"service": {**backend, "port": {"name": "ws"}}}},
                {"path": "/", "pathType": "Prefix", "backend": {"service": {**backend, "port": {"name": "api"}}}},
            ]}} for h in hosts]}}
    head = "# Written by pmwizard export kubernetes. Keys: a Secret, never here (see the kubectl command it printed).\n"
    return {"configmaps.yaml": head + dump_all(configmaps), "statefulset.yaml": head + dump_all([statefulset]),
            "services.yaml": head + dump_all(services), "ingress.yaml": head + dump_all([ingress])}
