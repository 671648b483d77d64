"""nginx (Debian's package) as a TLS server on a free loopback port, configured like an operator would.

    with nginx_tls(tmp_path, cert_file, key_file, server_name="node1.test", body=b'{"software": ...}') as port:
        ...

Runs `nginx -p <tmp> -c nginx.conf` in the foreground as a single process (no daemon, no workers) so the
test owns it; stops it at exit and shows error.log when it cannot start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from tests.support.ports import free_port
from tests.support.require import require_binary


def nginx_conf(workdir: Path, http: str, *, master: bool = False, connections: int = 64,
               access_log: bool = True) -> str:
    """An nginx.conf for a test: in the foreground, everything nginx writes kept in `workdir`, `http` (server
    blocks or an `include`) inside the http block. `master`: a master process and one worker, as in production
    (a reload, SIGHUP, starts new workers; they run as root only because pytest's temporary folders are 0700);
    else one process."""
    processes = "user root;\nworker_processes 1;" if master else "master_process off;"
    return f"""daemon off;
{processes}
pid {workdir}/nginx.pid;
error_log {workdir}/error.log info;
events {{ worker_connections {connections}; }}
http {{
    access_log {f"{workdir}/access.log" if access_log else "off"};
    client_body_temp_path {workdir}/tmp-body;
    proxy_temp_path {workdir}/tmp-proxy;
    fastcgi_temp_path {workdir}/tmp-fcgi;
    uwsgi_temp_path {workdir}/tmp-uwsgi;
    scgi_temp_path {workdir}/tmp-scgi;
{http}
}}
"""


def _conf(workdir: Path, port: int, cert: Path, key: Path, server_name: str, body: str, protocols: str) -> str:
    body_q = body.replace("\\", "\\\\").replace("'", "\\'")
    return nginx_conf(workdir, f"""    server {{
        listen 127.0.0.1:{port} ssl;
        server_name {server_name};
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols {protocols};
        location / {{
            default_type application/json;
            return 200 '{body_q}';
        }}
    }}""", connections=128, access_log=False)


@contextlib.contextmanager
def nginx_tls(workdir: Path, cert: Path, key: Path, *, server_name: str = "_", body: str = "{}",
              protocols: str = "TLSv1.2 TLSv1.3", startup_timeout: float = 15.0) -> Iterator[int]:
    nginx = require_binary("nginx")
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(_conf(workdir, port, cert, key, server_name, body, protocols))
    log = workdir / "error.log"
    proc = subprocess.Popen([nginx, "-p", str(workdir), "-e", str(log), "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=open(workdir / "stderr.log", "wb"), start_new_session=True)  # noqa: SIM115
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"nginx exited {proc.returncode}:\n{_logs(workdir, log)}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not listen within {startup_timeout} s:\n{_logs(workdir, log)}")
            time.sleep(0.05)
        yield port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


def _logs(workdir: Path, log: Path) -> str:
    parts = [p.read_text(errors="replace") for p in (log, workdir / "stderr.log") if p.exists()]
    return "\n".join(parts)
