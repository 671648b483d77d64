"""The generated NGINX site, accepted and run by the real nginx: HTTPS reaches the API stand-in, both
WebSocket streams upgrade through to the WebSocket stand-in, HTTP redirects, oversized bodies are refused."""

from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import ssl
import subprocess
from pathlib import Path

import pytest

from pmwizard.render.nginx import NginxSite, site_text
from tests.services.procs import running
from tests.services.standins import api_standin, read_http_head, websocket_standin, ws_accept
from tests.support.nginx import nginx_conf
from tests.support.pki import TestPKI
from tests.support.ports import free_port
from tests.support.require import require_binary

HOST = "node1.pmwizard.test"
EXTRA = "n1.consortium.test"


def wrap(workdir: Path, site: Path) -> Path:
    """A minimal nginx.conf around the site, everything nginx writes kept in `workdir`."""
    conf = workdir / "nginx.conf"
    conf.write_text(nginx_conf(workdir, f"    include {site};"))
    return conf


class NamedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a loopback port with SNI and certificate check for `name`, as a client resolving it would."""

    def __init__(self, name: str, port: int, ctx: ssl.SSLContext) -> None:
        super().__init__(name, port, context=ctx, timeout=10)
        self._ctx, self._name = ctx, name

    def connect(self) -> None:
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        self.sock = self._ctx.wrap_socket(raw, server_hostname=self._name)


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    return TestPKI("services")


def write_site(tmp_path: Path, pki: TestPKI, api: int, ws: int) -> tuple[NginxSite, Path]:
    cert, key = pki.leaf([HOST, EXTRA]).write(tmp_path / "tls", "site")
    site = NginxSite(hostname=HOST, names=(EXTRA,), cert=cert, key=key, https_port=free_port(),
                     http_port=free_port(), api_upstream=f"127.0.0.1:{api}", ws_upstream=f"127.0.0.1:{ws}",
                     listen_address="127.0.0.1")
    path = tmp_path / "site.conf"
    path.write_text(site_text(site))
    return site, path


def nginx_test(nginx: str, tmp_path: Path, conf: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
                          check=False, capture_output=True, text=True, timeout=30)


def test_site_has_what_planetmint_needs(tmp_path: Path) -> None:
    text = site_text(NginxSite(hostname="node.example.org", names=("n1.c.example",)))
    assert "listen 443 ssl;" in text and "listen 80;" in text
    assert "server_name node.example.org n1.c.example;" in text
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in text
    assert "location /api/v1/streams/ {" in text and "proxy_pass http://127.0.0.1:9985;" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    assert "location / {" in text and "proxy_pass http://127.0.0.1:9984;" in text
    assert "client_max_body_size 15k;" in text and "limit_req_zone" in text
    assert "return 301 https://$host$request_uri;" in text


def test_nginx_accepts_and_serves_the_site(tmp_path: Path, pki: TestPKI) -> None:
    nginx = require_binary("nginx")
    root = pki.write_root(tmp_path / "root.pem")
    with api_standin() as api, websocket_standin() as ws:
        site, path = write_site(tmp_path, pki, api, ws)
        conf = wrap(tmp_path, path)
        checked = nginx_test(nginx, tmp_path, conf)
        assert checked.returncode == 0, checked.stderr
        argv = [nginx, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)]
        with running(argv, site.https_port, [tmp_path / "error.log", tmp_path / "access.log"], tmp_path):
            ctx = ssl.create_default_context(cafile=str(root))
            for name in (HOST, EXTRA):
                conn = NamedHTTPS(name, site.https_port, ctx)
                conn.request("GET", "/api/v1/")
                resp = conn.getresponse()
                body = json.loads(resp.read())
                assert resp.status == 200
                assert body["standin"] == "api" and body["path"] == "/api/v1/"
                assert body["headers"]["x-forwarded-proto"] == "https" and body["headers"]["host"] == name
                conn.close()

            for stream in ("valid_transactions", "valid_blocks"):
                key = base64.b64encode(os.urandom(16)).decode()
                raw = socket.create_connection(("127.0.0.1", site.https_port), timeout=10)
                with ctx.wrap_socket(raw, server_hostname=HOST) as tls:
                    tls.sendall((f"GET /api/v1/streams/{stream} HTTP/1.1\r\nHost: {HOST}\r\n"
                                 f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                                 "Sec-WebSocket-Version: 13\r\n\r\n").encode())
                    head = read_http_head(tls)
                assert head.startswith("HTTP/1.1 101"), head
                assert f"Sec-WebSocket-Accept: {ws_accept(key)}" in head
                assert f"X-Standin-Path: /api/v1/streams/{stream}" in head

            # A body over 15k is refused before it reaches Planetmint.
            conn = NamedHTTPS(HOST, site.https_port, ctx)
            conn.request("POST", "/api/v1/transactions", body=b"x" * 20000)
            assert conn.getresponse().status == 413
            conn.close()

        # Plain HTTP redirects to HTTPS (checked separately: the redirect server listens on http_port).
        with running(argv, site.http_port, [tmp_path / "error.log"], tmp_path):
            conn = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=10)
            conn.request("GET", "/api/v1/?a=1", headers={"Host": HOST})
            resp = conn.getresponse()
            assert resp.status == 301
            assert resp.getheader("Location") == f"https://{HOST}:{site.https_port}/api/v1/?a=1"
            conn.close()


def test_nginx_accepts_hostile_certificate_paths(tmp_path: Path, pki: TestPKI) -> None:
    """Paths with quotes, ';', '{', '#', blanks, backslashes and non-ASCII are quoted so nginx reads the
    exact file (nginx -t loads the certificate, so a wrong path fails)."""
    nginx = require_binary("nginx")
    odd = tmp_path / 'a "b\';{c} #d\\e ünï'
    cert, key = pki.leaf([HOST]).write(odd, "site")
    site = NginxSite(hostname=HOST, cert=cert, key=key, https_port=free_port(), http_port=free_port(),
                     listen_address="127.0.0.1")
    path = tmp_path / "site.conf"
    path.write_text(site_text(site))
    checked = nginx_test(nginx, tmp_path, wrap(tmp_path, path))
    assert checked.returncode == 0, checked.stderr + path.read_text()
