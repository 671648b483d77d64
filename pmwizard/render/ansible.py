"""An Ansible inventory and playbook that deliver one member's node: the files pmwizard renders, byte for byte.

Why each rule of the play is there:
- files/ holds the exact bytes `pmwizard configure` and `pmwizard services` write (render.node_files); the
  play copies them (`backup: true`), so `ansible-playbook --check --diff` shows the change pmwizard's own
  preview shows, and a second run changes nothing.
- config.toml is checked by the Tendermint binary itself (`validate:`) before it replaces the old one: a file
  CometBFT refuses never lands.
- key files come from the node home on the controller, `force: false`, `diff: false`, `no_log`: copied once,
  never replaced, deleted, generated on the machine, or shown.
- the Tendermint binary is checked against its SHA-256 (before it is copied, and again where it landed).
- handlers run in the order they are listed: Monit's files, then Tarantool -> Planetmint -> Tendermint.
- the last task runs `pmwizard doctor --json` on the machine and fails the play on any FAIL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pmwizard.core.shown import visible
from pmwizard.render.node_files import KEY_FILES, STATE_FILES, NodeFiles, NodeLayout
from pmwizard.render.yamltext import Unsafe, dump

PLANETMINT_VERSION = "2.5.3"
CONTROL = "node-control.sh"
CHECK_CONFIG = "check-config-toml.sh"

# Started by the play, supervised by Monit: Tarantool runs its instance file in the background; Monit runs
# planetmint and tendermint through pmwizard's monit_script. Prints a word only when it changed something,
# which is what the play's `changed_when` looks for (a second run prints nothing: changed=0).
CONTROL_SCRIPT = """#!/bin/sh
# node-control.sh DIR ACTION [NAME], written by pmwizard export ansible for the play's start/restart tasks.
# DIR is the folder of the monitrc and the Tarantool instance (pid files are there).
set -eu
DIR=$1
ACTION=$2
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
wait_gone() { i=0; while alive "$1" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done; }
start_tarantool() { tarantool "$DIR/tarantool-instance.lua"; }
case "$ACTION" in
    start-tarantool) alive "$DIR/tarantool.pid" || { start_tarantool; echo started; } ;;
    restart-tarantool)
        if alive "$DIR/tarantool.pid"; then kill -TERM "$(cat "$DIR/tarantool.pid")"; wait_gone "$DIR/tarantool.pid"; fi
        start_tarantool; echo restarted ;;
    start-monit) alive "$DIR/monit.pid" || { monit -c "$DIR/monitrc" -d 1; echo started; } ;;
    reload-monit) if alive "$DIR/monit.pid"; then monit -c "$DIR/monitrc" reload; echo reloaded; fi ;;
    restart) if alive "$DIR/monit.pid"; then monit -c "$DIR/monitrc" restart "$3"; echo restarted; fi ;;
    *) echo "usage: $0 DIR start-tarantool|restart-tarantool|start-monit|reload-monit|restart NAME" >&2; exit 2 ;;
esac
"""

# `validate:` for config.toml: Tendermint reads the candidate in a throwaway home and runs its own checks
# (ValidateBasic: "error in config file: ..."; TOML syntax: "While parsing config"). The node key is linked
# in (read only by tendermint, in a folder removed on exit) so a valid file makes `show-node-id` succeed.
CHECK_CONFIG_SCRIPT = """#!/bin/sh
# check-config-toml.sh TENDERMINT HOME CANDIDATE: exit 0 only when Tendermint accepts the config file.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/config" "$tmp/data"
cp "$3" "$tmp/config/config.toml"
ln -s "$2/config/node_key.json" "$tmp/config/node_key.json"
if ! out=$("$1" show-node-id --home "$tmp" 2>&1); then
    echo "tendermint refuses this config.toml: $out" >&2
    exit 1
fi
"""

LINT_CONFIG = """---
# ansible-lint: everything it needs is here; it must not download collections or schemas.
offline: true
profile: production
"""


@dataclass(frozen=True)
class AnsibleOptions:
    """What the play needs besides the node's files: where the keys and the Tendermint binary come from."""

    keys_from: Path  # the node home on the controller
    tendermint_source: str  # a path on the controller or an http(s) URL
    tendermint_sha256: str
    inventory_host: str
    ansible_host: str | None = None
    local: bool = False
    planetmint_version: str = PLANETMINT_VERSION


def _u(value: object) -> Unsafe:
    return Unsafe(str(value))


def _copy(name: str, src: str, dest: str, mode: int, notify: list[str], **extra: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"src": src, "dest": dest, "mode": f"0{mode:o}", "backup": True}
    args.update(extra)
    task: dict[str, Any] = {"name": name, "ansible.builtin.copy": args}
    if notify:
        task["notify"] = notify
    return task


HANDLER_FOR = {"monit": "Reload Monit", "tarantool": "Restart Tarantool", "planetmint": "Restart Planetmint",
               "tendermint": "Restart Tendermint", "nginx": "Reload NGINX"}


# Tags let an operator run one part (`--tags keys`, `--tags files`); the first matching prefix wins.
TAGS = (("Debian packages", ["packages"]), ("Planetmint at", ["planetmint"]), ("Tendermint binary", ["tendermint"]),
        ("Refuse", ["tendermint"]), ("Node home folders", ["keys", "files"]), ("Node key", ["keys"]),
        ("Node validator state", ["keys"]), ("Helper scripts", ["files"]), ("Node file", ["files"]),
        ("NGINX site", ["files"]), ("Restart what changed", ["start"]), ("Tarantool running", ["start"]),
        ("Monit running", ["start"]), ("Tendermint answers", ["doctor"]), ("Planetmint's HTTP", ["doctor"]),
        ("The doctor", ["doctor"]))


def _tagged(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for task in tasks:
        task["tags"] = next(tags for prefix, tags in TAGS if task["name"].startswith(prefix))
    return tasks


def _control(*args: str) -> dict[str, Any]:
    return {"argv": ["/bin/sh", "{{ pmwizard_services_folder }}/" + CONTROL, "{{ pmwizard_services_folder }}",
                     *args]}


def playbook_text(node: NodeFiles, layout: NodeLayout, opt: AnsibleOptions) -> str:
    """playbook.yml: one play for the member's machines (the `planetmint_nodes` group)."""
    svc = "{{ pmwizard_services_folder }}"
    home = "{{ pmwizard_node_home }}"
    handlers = [
        {"name": "Reload Monit", "ansible.builtin.command": _control("reload-monit"), "changed_when": True},
        {"name": "Restart Tarantool", "ansible.builtin.command": _control("restart-tarantool"),
         "changed_when": True},
        {"name": "Restart Planetmint", "ansible.builtin.command": _control("restart", "planetmint"),
         "changed_when": True},
        {"name": "Restart Tendermint", "ansible.builtin.command": _control("restart", "tendermint"),
         "changed_when": True},
        # A site NGINX refuses (`nginx -t`) stops the play before the reload, so the running NGINX keeps serving.
        {"name": "Check the NGINX configuration", "ansible.builtin.command": {"argv": ["nginx", "-t"]},
         "changed_when": False, "when": "pmwizard_manage_nginx | bool", "listen": "Reload NGINX"},
        {"name": "Reload NGINX service", "ansible.builtin.service": {"name": "nginx", "state": "reloaded"},
         "when": "pmwizard_manage_nginx | bool", "listen": "Reload NGINX"},
    ]
    url_tm = "pmwizard_tendermint_source is match('https?://')"
    local_tm = f"not ({url_tm})"
    tasks: list[dict[str, Any]] = [
        {"name": "Debian packages: Tarantool, Monit, NGINX, Python venv",
         "ansible.builtin.apt": {"name": ["tarantool", "monit", "nginx", "python3-venv"], "state": "present"},
         "when": "pmwizard_install_packages | bool"},
        {"name": "Planetmint at its pinned version, in its own venv",
         "ansible.builtin.pip": {"name": "planetmint=={{ pmwizard_planetmint_version }}",
                                 "virtualenv": "{{ pmwizard_planetmint_venv }}",
                                 "virtualenv_command": "python3 -m venv"}},
        {"name": "Tendermint binary on the controller has the expected SHA-256",
         "ansible.builtin.stat": {"path": "{{ pmwizard_tendermint_source }}", "checksum_algorithm": "sha256"},
         "delegate_to": "localhost", "register": "pmwizard_tm_source", "when": local_tm},
        {"name": "Refuse a Tendermint binary with another checksum",
         "ansible.builtin.assert": {"that": ["pmwizard_tm_source.stat.exists",
                                             "pmwizard_tm_source.stat.checksum == pmwizard_tendermint_sha256"],
                                    "fail_msg": "{{ pmwizard_tendermint_source }} is not the Tendermint binary "
                                                "with SHA-256 {{ pmwizard_tendermint_sha256 }}",
                                    "quiet": True},
         "when": local_tm},
        {"name": "Tendermint binary from the controller",
         "ansible.builtin.copy": {"src": "{{ pmwizard_tendermint_source }}", "dest": "{{ pmwizard_tendermint_path }}",
                                  "mode": "0755"},
         "when": local_tm, "notify": ["Restart Tendermint"]},
        {"name": "Tendermint binary from a URL, checked by SHA-256 before it is moved into place",
         "ansible.builtin.get_url": {"url": "{{ pmwizard_tendermint_source }}",
                                     "dest": "{{ pmwizard_tendermint_path }}",
                                     "checksum": "sha256:{{ pmwizard_tendermint_sha256 }}", "mode": "0755"},
         "when": url_tm, "notify": ["Restart Tendermint"]},
        {"name": "Tendermint binary where it landed",
         "ansible.builtin.stat": {"path": "{{ pmwizard_tendermint_path }}", "checksum_algorithm": "sha256"},
         "register": "pmwizard_tm_installed"},
        {"name": "Refuse an installed Tendermint binary with another checksum",
         "ansible.builtin.assert": {"that": [("ansible_check_mode or pmwizard_tm_installed.stat.checksum == "
                                              "pmwizard_tendermint_sha256")], "quiet": True}},
        {"name": "Node home folders (0700, as Tendermint creates them)",
         "ansible.builtin.file": {"path": "{{ item }}", "state": "directory", "mode": "0700"},
         "loop": [home, f"{home}/config", f"{home}/data", svc]},
    ]
    for rel in (*KEY_FILES, *STATE_FILES):
        what = "validator state" if rel in STATE_FILES else "key"
        tasks.append({
            "name": f"Node {what} {PurePosixPath(rel).name}: copied once, never replaced, never shown",
            "ansible.builtin.copy": {"src": f"{{{{ pmwizard_keys_from }}}}/{rel}", "dest": f"{home}/{rel}",
                                     "mode": "0600", "force": False},
            "no_log": True, "diff": False})
    tasks.append({"name": "Helper scripts the play runs", "ansible.builtin.copy": {
        "src": "{{ item }}", "dest": f"{svc}/{{{{ item }}}}", "mode": "0755"},
        "loop": [CONTROL, CHECK_CONFIG]})
    for f in node.files:
        var = f"{svc}" if f.target.parent == layout.services_folder else None
        dest = f"{var}/{f.target.name}" if var else _path_expr(f.target, layout)
        extra: dict[str, Any] = {}
        if f.name == "config.toml":
            extra["validate"] = f"/bin/sh {svc}/{CHECK_CONFIG} {{{{ pmwizard_tendermint_path }}}} {home} %s"
        task = _copy(f"Node file {f.name} (the bytes pmwizard renders)", f.name, dest, f.mode,
                     [HANDLER_FOR[r] for r in f.restarts], **extra)
        if f.name == "nginx-site.conf":
            task["when"] = "pmwizard_deploy_nginx | bool"
        tasks.append(task)
        if f.name == "nginx-site.conf" and f.target.parent.name == "sites-available":
            enabled = f.target.parent.parent / "sites-enabled" / f.target.name
            tasks.append({"name": "NGINX site enabled (sites-enabled links to it)",
                          "ansible.builtin.file": {"src": _u(f.target), "state": "link", "dest": _u(enabled)},
                          "when": "pmwizard_deploy_nginx | bool and pmwizard_manage_nginx | bool",
                          "notify": ["Reload NGINX"]})
    tasks += [
        {"name": "Restart what changed: Tarantool, then Planetmint, then Tendermint", "ansible.builtin.meta":
         "flush_handlers"},
        {"name": "Tarantool running", "ansible.builtin.command": _control("start-tarantool"),
         "register": "pmwizard_started_tarantool", "changed_when": "'started' in pmwizard_started_tarantool.stdout"},
        {"name": "Monit running (it starts and supervises planetmint and tendermint)",
         "ansible.builtin.command": _control("start-monit"),
         "environment": {"PLANETMINT_CONFIG_PATH": "{{ pmwizard_planetmint_config }}"},
         "register": "pmwizard_started_monit", "changed_when": "'started' in pmwizard_started_monit.stdout"},
        {"name": "Tendermint answers on its RPC and has caught up",
         "ansible.builtin.uri": {"url": "http://127.0.0.1:{{ pmwizard_rpc_port }}/status", "return_content": True},
         "register": "pmwizard_status", "until": "pmwizard_status.json is defined and "
         "not pmwizard_status.json.result.sync_info.catching_up",
         "retries": 90, "delay": 2, "when": "not ansible_check_mode"},
        {"name": "Planetmint's HTTP API answers",
         "ansible.builtin.uri": {"url": "http://127.0.0.1:{{ pmwizard_api_port }}/"},
         "register": "pmwizard_api", "until": "pmwizard_api.status == 200", "retries": 60, "delay": 2,
         "when": "not ansible_check_mode"},
        {"name": "The doctor checks this node (P2P handshake, RPC, API, Tarantool); any FAIL fails the play",
         "ansible.builtin.command": {"argv": "{{ pmwizard_command + pmwizard_doctor_args }}"},
         "register": "pmwizard_doctor", "changed_when": False,
         "failed_when": "pmwizard_doctor.rc not in [0, 1] or "
                        "(pmwizard_doctor.stdout | from_json).summary.fail > 0",
         "when": "not ansible_check_mode"},
    ]
    doctor_args = ["doctor", "--json", "--home", _u(layout.node_home), "--p2p-port", str(node.p2p_port),
                   "--tarantool-port", str(layout.tarantool_port), "--api-port", str(layout.api_port),
                   "--rpc", f"local=http://127.0.0.1:{int(layout.rpc_port)}"]
    play_vars: dict[str, Any] = {
        "pmwizard_install_packages": True,
        "pmwizard_deploy_nginx": True,
        "pmwizard_manage_nginx": True,
        "pmwizard_planetmint_version": opt.planetmint_version,
        "pmwizard_planetmint_venv": _u(layout.planetmint_venv),
        "pmwizard_planetmint_config": _u(layout.planetmint_config),
        "pmwizard_tendermint_source": _u(opt.tendermint_source),
        "pmwizard_tendermint_sha256": opt.tendermint_sha256,
        "pmwizard_tendermint_path": _u(layout.tendermint_path),
        "pmwizard_node_home": _u(layout.node_home),
        "pmwizard_keys_from": _u(opt.keys_from),
        "pmwizard_services_folder": _u(layout.services_folder),
        "pmwizard_rpc_port": int(layout.rpc_port),
        "pmwizard_api_port": int(layout.api_port),
        "pmwizard_command": ["pmwizard"],
        "pmwizard_doctor_args": doctor_args,
    }
    play = {"name": f"Planetmint node {layout.hostname}: Tarantool, Planetmint, Tendermint 0.34, Monit, NGINX",
            "hosts": "planetmint_nodes", "gather_facts": False, "vars": play_vars, "handlers": handlers,
            "tasks": _tagged(tasks)}
    header = ("# Written by pmwizard export ansible: the files under files/ are the bytes pmwizard renders.\n"
              f"# Network {visible(node.chain_id)}; genesis.json SHA-256 {node.by_name('genesis.json').sha256}.\n"
              "# Run: ansible-playbook -i inventory.ini playbook.yml --check --diff   (the preview), then without"
              " --check.\n")
    return header + dump([play])


def _path_expr(target: Path, layout: NodeLayout) -> str:
    """The destination written with the play's variables where it lies under one (so overriding the
    variable moves the file), else literally."""
    for var, base in (("pmwizard_node_home", layout.node_home),):
        try:
            rel = target.relative_to(base)
        except ValueError:
            continue
        return f"{{{{ {var} }}}}/{rel.as_posix()}"
    if target == layout.planetmint_config:
        return "{{ pmwizard_planetmint_config }}"
    return _u(target)


def inventory_text(opt: AnsibleOptions) -> str:
    """inventory.ini: the member's machine in the `planetmint_nodes` group."""
    parts = [opt.inventory_host]
    if opt.ansible_host:
        parts.append(f"ansible_host={opt.ansible_host}")
    if opt.local:
        parts.append("ansible_connection=local")
    head = "# Written by pmwizard export ansible: this member's machines.\n[planetmint_nodes]\n"
    return head + " ".join(parts) + "\n"


def export_files(node: NodeFiles, layout: NodeLayout, opt: AnsibleOptions) -> dict[str, bytes]:
    """Every file of the export folder, by path relative to it."""
    out: dict[str, bytes] = {
        "inventory.ini": inventory_text(opt).encode(),
        "playbook.yml": playbook_text(node, layout, opt).encode(),
        ".ansible-lint": LINT_CONFIG.encode(),
        f"files/{CONTROL}": CONTROL_SCRIPT.encode(),
        f"files/{CHECK_CONFIG}": CHECK_CONFIG_SCRIPT.encode(),
        "files/SHA256SUMS": "".join(f"{f.sha256}  {f.name}\n" for f in node.files).encode(),
    }
    for f in node.files:
        out[f"files/{f.name}"] = f.data
    return out

