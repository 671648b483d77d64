"""The NGINX site in front of Planetmint: HTTPS on 443 for the hostname (and consortium names), the HTTP
API proxied to 9984 and every WebSocket stream under /api/v1/streams/ to 9985.

The Planetmint docs' template proxies only one stream path; here the whole prefix goes to the WebSocket
server with the Upgrade headers. Request size and rate limits follow Planetmint's template.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pmwizard.errors import InputError
from pmwizard.render.quoting import checked_hostname, nginx_string

DEFAULT_SITE = Path("/etc/nginx/sites-available/planetmint")


@dataclass(frozen=True)
class NginxSite:
    """One site: names, certificate files, public ports and the two local upstreams."""

    hostname: str
    names: tuple[str, ...] = ()
    cert: Path = Path("/etc/letsencrypt/live/HOSTNAME/fullchain.pem")
    key: Path = Path("/etc/letsencrypt/live/HOSTNAME/privkey.pem")
    https_port: int = 443
    http_port: int = 80
    api_upstream: str = "127.0.0.1:9984"
    ws_upstream: str = "127.0.0.1:9985"
    listen_address: str = ""  # "" = every address; tests bind 127.0.0.1
    acme_webroot: Path = Path("/var/www/pmwizard-acme")  # HTTP-01 answers (pmwizard cert issue --webroot)


def default_cert_paths(hostname: str) -> tuple[Path, Path]:
    """Certbot's layout: the full chain (leaf + intermediates) and the key."""
    live = Path("/etc/letsencrypt/live") / hostname
    return live / "fullchain.pem", live / "privkey.pem"


def _port(value: int, field: str) -> int:
    if not 0 < int(value) < 65536:
        raise InputError("<command line>", field, f"{value} is not a TCP port")
    return int(value)


def _upstream(value: str, field: str) -> str:
    host, _, port = value.rpartition(":")
    if host not in ("127.0.0.1", "localhost", "[::1]") or not port.isdigit():
        raise InputError("<command line>", field, f"{value!r}: expected 127.0.0.1:PORT (a local service)")
    return f"{host}:{_port(int(port), field)}"


def site_text(site: NginxSite) -> str:
    """The site file (an `http {}`-level include, like /etc/nginx/sites-enabled/*)."""
    names: list[str] = []
    for i, name in enumerate((site.hostname, *site.names)):
        ascii_name = checked_hostname(name, "--hostname" if i == 0 else "--name")
        if ascii_name not in names:
            names.append(ascii_name)
    server_names = " ".join(names)
    cert = nginx_string(str(site.cert), "--cert")
    key = nginx_string(str(site.key), "--key")
    https = _port(site.https_port, "https port")
    http = _port(site.http_port, "http port")
    api = _upstream(site.api_upstream, "api upstream")
    ws = _upstream(site.ws_upstream, "ws upstream")
    webroot = nginx_string(str(site.acme_webroot), "--webroot")
    addr = f"{site.listen_address}:" if site.listen_address else ""
    redirect_port = "" if https == 443 else f":{https}"
    return f"""# NGINX site for the Planetmint node {names[0]}, written by pmwizard.
# HTTPS on {https}: the HTTP API -> {api}, every WebSocket stream under /api/v1/streams/ -> {ws}.
# Enable: ln -s <this file> /etc/nginx/sites-enabled/ && nginx -t && systemctl reload nginx

# Limits like Planetmint's template: small requests, and a rate per client address.
limit_req_zone $binary_remote_addr zone=pm_one_ip:16m rate=100r/s;
limit_req_zone $server_name zone=pm_all_ips:16m rate=1000r/s;

map $http_upgrade $pm_connection_upgrade {{
    default upgrade;
    ''      close;
}}

server {{
    listen {addr}{https} ssl;
    server_name {server_names};

    # The full chain (certificate + intermediates): clients fail to verify with the leaf alone.
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    ssl_session_cache shared:pm_ssl:10m;

    client_max_body_size 15k;
    client_body_timeout 10s;
    client_header_timeout 10s;
    keepalive_timeout 5s 5s;

    # WebSocket event streams: /api/v1/streams/valid_transactions, /api/v1/streams/valid_blocks, ...
    location /api/v1/streams/ {{
        proxy_pass http://{ws};
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $pm_connection_upgrade;
        proxy_set_header Host $host;
        proxy_read_timeout 1h;
    }}

    # The HTTP API.
    location / {{
        limit_req zone=pm_one_ip burst=200 nodelay;
        limit_req zone=pm_all_ips burst=2000 nodelay;
        proxy_pass http://{api};
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto https;
        proxy_redirect off;
    }}
}}

# Plain HTTP only redirects to HTTPS, except the CA's HTTP-01 challenge (pmwizard cert issue/renew).
server {{
    listen {addr}{http};
    server_name {server_names};

    location ^~ /.well-known/acme-challenge/ {{
        root {webroot};
        default_type text/plain;
        try_files $uri =404;
    }}

    location / {{
        return 301 https://$host{redirect_port}$request_uri;
    }}
}}
"""

