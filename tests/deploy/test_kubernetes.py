"""`pmwizard export kubernetes`: every manifest passes `kubernetes-validate --strict` (schemas shipped with it, no
network) for Kubernetes 1.30 and the newest version it knows, where the template in Planetmint's docs fails;
the ConfigMaps hold pmwizard's own bytes; the keys are only in the printed `kubectl create secret` command's
file names, never in a manifest or on screen."""

from __future__ import annotations

import hashlib
import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate  # the test extra; ships the schemas
import pytest
import tomlkit
import yaml

from pmwizard.core import keys
from tests.deploy.support import files_with_key, make_member, pmw, tool
from tests.hardening.test_no_key_leak import secret_forms
from tests.support.require import planetmint_venv

STALE = Path(__file__).parent.parent / "fixtures" / "planetmint-docs-k8s-template.yaml"
VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
HOSTNAME = "node.alice.example"


def init_lua() -> Path:
    return next(planetmint_venv().glob("lib/python3*/site-packages/planetmint")) / "backend/tarantool/opt/init.lua"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("k8s")
    member = make_member(base, HOSTNAME, 26656)
    out = base / "k8s"
    argv = ["export", "kubernetes", "--home", str(member.home), "--genesis", str(member.genesis), "--peers",
            str(member.card), "--init-lua", str(init_lua()), "--moniker", "alice", "--namespace", "alice",
            "-o", str(out)]
    check = pmw(*argv, "--check")
    assert not out.exists(), "--check writes nothing"
    written = pmw(*argv, "--yes")
    docs = {p.name: list(yaml.safe_load_all(p.read_text())) for p in sorted(out.glob("*.yaml"))}
    return {"base": base, "member": member, "out": out, "check": check, "written": written, "docs": docs}


def by_kind(exported: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [d for docs in exported["docs"].values() for d in docs if d["kind"] == kind]


def test_every_manifest_passes_strict_validation_for_1_30_and_the_newest(exported: dict[str, Any]) -> None:
    files = sorted(str(p) for p in exported["out"].glob("*.yaml"))
    assert [Path(f).name for f in files] == ["configmaps.yaml", "ingress.yaml", "services.yaml", "statefulset.yaml"]
    for version in VERSIONS:
        r = subprocess.run([tool("kubernetes-validate"), "--strict", "-k", version, *files], capture_output=True,
                           text=True, timeout=120, check=False)
        out = r.stdout + r.stderr
        assert r.returncode == 0 and "WARN" not in out and "ERROR" not in out, out
        assert out.count("passed") == 7, out
        for docs in exported["docs"].values():
            for doc in docs:
                kubernetes_validate.validate(doc, version, strict=True)  # raises on any problem


def test_planetmints_own_template_fails_where_ours_passes() -> None:
    stale = list(yaml.safe_load_all(STALE.read_text()))
    assert {d["apiVersion"] for d in stale} == {"apps/v1beta1", "extensions/v1beta1"}
    for version in VERSIONS:
        for doc in stale:
            with pytest.raises(kubernetes_validate.SchemaNotFoundError):
                kubernetes_validate.validate(doc, version, strict=True)
        # Moved to apps/v1 as it stands, the StatefulSet is still refused: apps/v1 requires a selector.
        moved = dict(stale[0], apiVersion="apps/v1")
        with pytest.raises(kubernetes_validate.ValidationError, match="selector"):
            kubernetes_validate.validate(moved, version, strict=True)


def test_the_statefulset_runs_one_pod_of_three_with_claims_and_readiness(exported: dict[str, Any]) -> None:
    (sts,) = by_kind(exported, "StatefulSet")
    spec = sts["spec"]
    assert sts["apiVersion"] == "apps/v1" and spec["replicas"] == 1
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
    headless = [s for s in by_kind(exported, "Service") if s["spec"].get("clusterIP") == "None"]
    assert [s["metadata"]["name"] for s in headless] == [spec["serviceName"]]
    assert [c["metadata"]["name"] for c in spec["volumeClaimTemplates"]] == ["tendermint-data", "tarantool-data"]
    pod = spec["template"]["spec"]
    containers = {c["name"]: c for c in pod["containers"]}
    assert set(containers) == {"tendermint", "planetmint", "tarantool"}
    assert "v0.34" in containers["tendermint"]["image"] and "2.5" in containers["planetmint"]["image"]
    probe = containers["planetmint"]["readinessProbe"]["exec"]["command"]
    assert "catching_up" in probe[-1] and "127.0.0.1:26657/status" in probe[-1]
    assert all(d["metadata"]["namespace"] == "alice" for docs in exported["docs"].values() for d in docs)
    secret = next(v for v in pod["volumes"] if v["name"] == "keys")["secret"]["secretName"]
    mounts = {m["mountPath"]: m for m in containers["tendermint"]["volumeMounts"]}
    assert mounts["/tendermint/config/priv_validator_key.json"]["name"] == "keys"
    assert mounts["/tendermint/data"]["name"] == "tendermint-data"
    assert f"kubectl create secret generic {secret} --namespace alice" in exported["written"]


def test_configmaps_hold_pmwizards_bytes_and_the_genesis_hash(exported: dict[str, Any]) -> None:
    from pmwizard.core.tmconfig import configure_plan

    member = exported["member"]
    genesis_cm, config_cm = by_kind(exported, "ConfigMap")
    raw = member.genesis.read_bytes()
    assert genesis_cm["data"]["genesis.json"].encode() == raw
    sha = hashlib.sha256(raw).hexdigest()
    assert genesis_cm["metadata"]["annotations"]["pmwizard/genesis-sha256"] == sha
    (sts,) = by_kind(exported, "StatefulSet")
    assert sts["spec"]["template"]["metadata"]["annotations"]["pmwizard/genesis-sha256"] == sha
    ours = configure_plan(member.home, member.genesis, moniker="alice",
                          peers=[], rpc_laddr="tcp://127.0.0.1:26657").changes[1].new.decode()
    pod = tomlkit.parse(config_cm["data"]["config.toml"]).unwrap()
    want = tomlkit.parse(ours).unwrap()
    assert pod["p2p"].pop("external_address") == f"{HOSTNAME}:26656"
    assert pod["p2p"].pop("addr_book_file") == "data/addrbook.json"
    want["p2p"].pop("addr_book_file", None)
    assert pod == want and pod["moniker"] == "alice"
    assert config_cm["data"]["planetmint-init.lua"].encode() == init_lua().read_bytes()
    instance = config_cm["data"]["tarantool-instance.lua"]
    assert "background = false" in instance and "/var/lib/planetmint-node/planetmint-init.lua" in instance
    planetmint = json.loads(config_cm["data"]["planetmint.json"])
    assert planetmint["server"]["bind"] == "0.0.0.0:9984" and planetmint["wsserver"]["advertised_host"] == HOSTNAME


def test_p2p_service_and_ingress_with_streams(exported: dict[str, Any]) -> None:
    p2p = next(s for s in by_kind(exported, "Service") if s["spec"].get("type") == "LoadBalancer")
    assert p2p["spec"]["ports"][0]["port"] == 26656 and p2p["spec"]["ports"][0]["targetPort"] == "p2p"
    (ingress,) = by_kind(exported, "Ingress")
    assert ingress["apiVersion"] == "networking.k8s.io/v1"
    paths = {p["path"]: p["backend"]["service"]["port"]["name"] for p in ingress["spec"]["rules"][0]["http"]["paths"]}
    assert paths == {"/api/v1/streams/": "ws", "/": "api"}
    snippet = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/configuration-snippet"]
    assert "Upgrade $http_upgrade" in snippet and 'Connection "upgrade"' in snippet


def test_no_private_key_in_any_exported_file_or_output(exported: dict[str, Any]) -> None:
    member = exported["member"]
    assert files_with_key(exported["out"], member.home) == []
    for text in (exported["check"], exported["written"]):
        assert not [f for f in secret_forms(member.home) if f in text]
    line = next(x for x in exported["written"].splitlines() if "kubectl create secret" in x)
    argv = shlex.split(line)
    sources = [a.split("=", 2)[2] for a in argv if a.startswith("--from-file=")]
    assert sources == [str(member.home / rel) for rel in (keys.VALIDATOR_KEY, keys.NODE_KEY, keys.VALIDATOR_STATE)]


def test_bad_input_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    member = make_member(tmp_path, HOSTNAME, 26656)
    out = tmp_path / "k8s"
    r = subprocess.run([sys.executable, "-m", "pmwizard", "export", "kubernetes", "--home", str(member.home),
                        "--genesis", str(member.genesis), "--hostname", HOSTNAME, "--init-lua", str(init_lua()),
                        "--resource-name", "Not_A_Name", "-o", str(out), "--yes"],
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 1 and "--resource-name" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not out.exists()
