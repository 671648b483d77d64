"""What an issuance needs (`IssueRequest`), validated once, and the renewal record that remembers it.

The renewal record (`<config dir>/renewal/<hostname>.json`) holds everything `cert renew` needs to ask
again the same way: names, CA directory, challenge mode, file locations. It holds no key material; the
account key lives beside it in `<config dir>/accounts/`, 0600 in a 0700 folder.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pmwizard.errors import InputError
from pmwizard.render.nginx import default_cert_paths
from pmwizard.render.quoting import checked_hostname

LETSENCRYPT = "https://acme-v02.api.letsencrypt.org/directory"
LETSENCRYPT_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory"
LETSENCRYPT_CAA = "letsencrypt.org"
DEFAULT_CONFIG_DIR = Path("/etc/pmwizard/acme")
DEFAULT_WEBROOT = Path("/var/www/pmwizard-acme")
MODES = ("webroot", "standalone")
RECORD_FORMAT = "pmwizard-acme-renewal/1"
MAX_RECORD_BYTES = 64 * 1024


@dataclass(frozen=True)
class IssueRequest:
    """One certificate: its names, where to ask, how to answer HTTP-01, where the files go."""

    hostname: str
    names: tuple[str, ...] = ()
    directory: str = LETSENCRYPT
    email: str | None = None
    mode: str | None = None  # webroot | standalone | None: webroot when a web server answers on http_port
    webroot: Path = DEFAULT_WEBROOT
    http_port: int = 80  # where the CA's HTTP-01 request arrives (80 on the internet)
    https_port: int = 443  # where NGINX serves the certificate afterwards (the live check)
    listen: str = ""  # standalone listener address; "" = every address
    cert: Path = Path()  # fullchain.pem; default certbot's layout under /etc/letsencrypt/live/HOST/
    key: Path = Path()
    ca_file: Path | None = None  # trust anchors for the CA server's own TLS (a private ACME server)
    caa_identity: str | None = None  # what the CA's CAA records are called; None: from the directory
    public_ips: tuple[str, ...] = ()  # this node's public addresses when behind NAT
    nameservers: tuple[str, ...] = ()
    config_dir: Path = DEFAULT_CONFIG_DIR
    reload_command: tuple[str, ...] = ("nginx", "-s", "reload")
    check_ca_file: Path | None = None  # extra trust anchors for the live TLS check afterwards
    timeout: float = 5.0

    @property
    def all_names(self) -> list[str]:
        """The hostname first, then each extra name once (lowercase ASCII)."""
        return list(dict.fromkeys([self.hostname, *self.names]))

    @property
    def record_path(self) -> Path:
        return self.config_dir / "renewal" / f"{self.hostname}.json"

    @property
    def account_key_path(self) -> Path:
        """One account per CA directory: the same key registers once and is found again next time."""
        url = urlsplit(self.directory)
        tag = hashlib.sha256(self.directory.encode()).hexdigest()[:8]
        return self.config_dir / "accounts" / f"{url.hostname or 'acme'}-{tag}" / "account.key"


def _port(value: object, field: str, source: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 65536:
        raise InputError(source, field, f"{value!r} is not a TCP port (1-65535)")
    return value


def _directory(url: str, source: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise InputError(source, "--acme-directory", f"{url!r}: an ACME directory is an https:// URL "
                         "(RFC 8555 section 7.1.1)")
    return url


def _email(value: str | None, source: str) -> str | None:
    if value is None or value == "":
        return None
    if value.count("@") != 1 or any(c.isspace() or ord(c) < 32 for c in value) or value.startswith("@") \
            or value.endswith("@"):
        raise InputError(source, "--email", f"{value!r} is not an e-mail address")
    return value


def make_request(hostname: str, names: list[str] | tuple[str, ...] = (), *, source: str = "<command line>",
                 **options: Any) -> IssueRequest:
    """A validated IssueRequest. Raises InputError naming the field for anything unusable."""
    host = checked_hostname(hostname, "HOSTNAME")
    extra = tuple(n for n in (checked_hostname(n, "--name") for n in names) if n != host)
    req = IssueRequest(hostname=host, names=tuple(dict.fromkeys(extra)))
    for key, value in options.items():
        if value is None:
            continue
        if key in ("webroot", "cert", "key", "ca_file", "config_dir", "check_ca_file"):
            value = Path(str(value)).expanduser().absolute()
        req = replace(req, **{key: value})
    if req.mode is not None and req.mode not in MODES:
        raise InputError(source, "--http-01", f"{req.mode!r}: use webroot or standalone")
    _port(req.http_port, "--http-port", source)
    _port(req.https_port, "--https-port", source)
    _directory(req.directory, source)
    req = replace(req, email=_email(req.email, source), public_ips=tuple(_ips(req.public_ips, "--public-ip", source)))
    if req.listen:
        req = replace(req, listen=_ips((req.listen,), "--listen", source)[0])
    if req.caa_identity:
        req = replace(req, caa_identity=checked_hostname(req.caa_identity, "--caa-identity"))
    default_cert, default_key = default_cert_paths(host)
    if req.cert == Path():
        req = replace(req, cert=default_cert)
    if req.key == Path():
        req = replace(req, key=default_key)
    if req.ca_file is not None and not req.ca_file.is_file():
        raise InputError(str(req.ca_file), "--ca-file", "no such file")
    return req


def _ips(values: tuple[str, ...], field: str, source: str) -> list[str]:
    import ipaddress

    out = []
    for v in values:
        try:
            out.append(str(ipaddress.ip_address(v.strip("[]"))))
        except ValueError:
            raise InputError(source, field, f"{v!r} is not an IP address") from None
    return out


@dataclass(frozen=True)
class RenewalRecord:
    """The renewal record's JSON: the request in plain values (paths as text)."""

    request: IssueRequest
    issued: str = ""  # RFC 3339 time of the last issuance

    def to_json(self) -> str:
        req = asdict(self.request)
        doc = {"pmwizard": RECORD_FORMAT, "issued": self.issued,
               **{k: (str(v) if isinstance(v, Path) else list(v) if isinstance(v, tuple) else v)
                  for k, v in req.items()}}
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def load_record(path: Path) -> RenewalRecord:
    """Read one renewal record; InputError naming the file and field when it is damaged."""
    source = str(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_RECORD_BYTES + 1)
    except OSError as exc:
        raise InputError(source, None, f"cannot read: {exc.strerror}") from None
    if len(data) > MAX_RECORD_BYTES:
        raise InputError(source, None, f"larger than {MAX_RECORD_BYTES} bytes; not a renewal record")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(source, None, f"not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("pmwizard") != RECORD_FORMAT:
        raise InputError(source, "pmwizard", f"expected {RECORD_FORMAT!r}")
    fields = {f for f in IssueRequest.__dataclass_fields__}
    options: dict[str, object] = {}
    for key, value in doc.items():
        if key in ("pmwizard", "issued", "hostname", "names"):
            continue
        if key not in fields:
            raise InputError(source, key, "unknown field")
        if key in ("public_ips", "nameservers", "reload_command"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InputError(source, key, "expected a list of strings")
            value = tuple(value)
        elif key in ("http_port", "https_port"):
            _port(value, key, source)
        elif key == "timeout":
            if not isinstance(value, (int, float)) or not 0 < value <= 120:
                raise InputError(source, key, "expected seconds from 0 to 120")
            value = float(value)
        elif value is not None and not isinstance(value, str):
            raise InputError(source, key, "expected a string")
        options[key] = value
    names = doc.get("names", [])
    if not isinstance(doc.get("hostname"), str) or not isinstance(names, list) \
            or not all(isinstance(n, str) for n in names):
        raise InputError(source, "hostname", "expected the hostname (a string) and names (a list of strings)")
    issued = doc.get("issued", "")
    return RenewalRecord(make_request(doc["hostname"], names, source=source, **options),
                         issued=issued if isinstance(issued, str) else "")


def record_files(config_dir: Path) -> list[Path]:
    """Every renewal record under `config_dir`, in name order."""
    folder = config_dir / "renewal"
    return sorted(p for p in folder.glob("*.json") if p.is_file()) if folder.is_dir() else []

