"""A throw-away PKI for tests, made with cryptography: a root, an intermediate, and leaves of any kind.

    pki = TestPKI()                                   # root + intermediate (EC P-256, fast)
    good = pki.leaf(["node1.test", "*.consortium.test"])
    cert_file, key_file = good.write(tmp_path, "good")            # fullchain (leaf + intermediate) + key
    leaf_only, _ = good.write(tmp_path, "leafonly", chain=False)  # the leaf without its intermediate
    pki.write_root(tmp_path / "root.pem")                         # for --ca-file

    pki.leaf(names, days=(-30, -1))          # expired        pki.leaf(names, days=(2, 90))  not yet valid
    pki.leaf(names, key="rsa1024")           # weak key       pki.leaf(names, hash=hashes.SHA1())  weak sig
    pki.leaf(names, self_signed=True)        # self-signed

`days` is (not_before, not_after) in days from now.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.support.require import require_binary

PEM = serialization.Encoding.PEM


def _key(kind: str):
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
    raise ValueError(f"key kind {kind!r}: use ec, rsa1024, rsa2048")


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "pmwizard tests")])


@dataclass(frozen=True)
class Issued:
    """A certificate, its private key and the intermediates a server should send after it."""

    cert: x509.Certificate
    key: object
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(PEM)

    @property
    def fullchain_pem(self) -> bytes:
        return self.cert_pem + b"".join(c.public_bytes(PEM) for c in self.chain)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(PEM, serialization.PrivateFormat.PKCS8,  # type: ignore[attr-defined]
                                      serialization.NoEncryption())

    def write(self, folder: Path, stem: str, chain: bool = True) -> tuple[Path, Path]:
        """Write `<stem>.crt` (fullchain unless chain=False) and `<stem>.key`; return their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        cert, key = folder / f"{stem}.crt", folder / f"{stem}.key"
        cert.write_bytes(self.fullchain_pem if chain else self.cert_pem)
        key.write_bytes(self.key_pem)
        key.chmod(0o600)
        return cert, key


class TestPKI:
    """Root CA -> intermediate CA -> leaves. Every certificate passes cryptography's web-PKI policy
    (SAN, AKI/SKI, basic constraints, key usage, serverAuth), so only the intended defect shows."""

    __test__ = False  # not a pytest test class

    def __init__(self, name: str = "pmwizard test") -> None:
        now = dt.datetime.now(dt.UTC)
        root_key = _key("ec")
        self.root = Issued(self._build(_name(f"{name} root"), root_key.public_key(), _name(f"{name} root"),
                                       root_key, ca=True, start=now - dt.timedelta(days=1),
                                       end=now + dt.timedelta(days=3650)), root_key)
        inter_key = _key("ec")
        self.intermediate = Issued(self._build(_name(f"{name} intermediate"), inter_key.public_key(),
                                               self.root.cert.subject, root_key, ca=True,
                                               start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=1825),
                                               issuer_cert=self.root.cert), inter_key)

    @staticmethod
    def _build(subject, public_key, issuer, signing_key, *, ca, start, end, names=(),
               issuer_cert=None, hash_algo=None, issuer_url: str | None = None) -> x509.Certificate:
        b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
             .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
             .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))
        signer_pub = issuer_cert.public_key() if issuer_cert is not None else public_key
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_pub), critical=False)
        if ca:
            b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                critical=True)
        else:
            b = b.add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False),
                                critical=True)
            b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        if issuer_url:  # where the issuer's certificate is (as public CAs' intermediates say); never fetched
            b = b.add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
                x509.oid.AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(issuer_url))]),
                critical=False)
        return b.sign(signing_key, hash_algo or hashes.SHA256())

    def leaf_of_root(self, names: list[str]) -> Issued:
        """A server certificate signed directly by the root, without AIA: what a private CA issues."""
        now = dt.datetime.now(dt.UTC)
        k = _key("ec")
        cert = self._build(_name(names[0]), k.public_key(), self.root.cert.subject, self.root.key, ca=False,
                           start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=90), names=names,
                           issuer_cert=self.root.cert)
        return Issued(cert, k)

    def leaf(self, names: list[str], *, key: str = "ec", hash: hashes.HashAlgorithm | None = None,
             days: tuple[float, float] = (-1, 90), self_signed: bool = False) -> Issued:
        """A server certificate for `names` issued by the intermediate (or by itself)."""
        now = dt.datetime.now(dt.UTC)
        k = _key(key)
        subject = _name(names[0])
        start, end = now + dt.timedelta(days=days[0]), now + dt.timedelta(days=days[1])
        if self_signed:
            cert = self._build(subject, k.public_key(), subject, k, ca=False, start=start, end=end, names=names,
                               hash_algo=hash)
            return Issued(cert, k)
        if hash is not None and hash.name in ("sha1", "md5"):
            cert = self._openssl_sign(names, k, hash.name, days)
        else:
            cert = self._build(subject, k.public_key(), self.intermediate.cert.subject, self.intermediate.key,
                               ca=False, start=start, end=end, names=names, issuer_cert=self.intermediate.cert,
                               hash_algo=hash, issuer_url="http://127.0.0.1/intermediate.der")
        return Issued(cert, k, (self.intermediate.cert,))

    def _openssl_sign(self, names: list[str], key, digest: str, days: tuple[float, float]) -> x509.Certificate:
        """cryptography refuses to sign with SHA-1/MD5; the openssl command still does (as old CAs did)."""
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            csr = x509.CertificateSigningRequestBuilder().subject_name(_name(names[0])).sign(key, hashes.SHA256())
            (d / "req.csr").write_bytes(csr.public_bytes(PEM))
            Issued(self.intermediate.cert, self.intermediate.key).write(d, "ca")
            (d / "ext.cnf").write_text(
                "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
                "subjectAltName=" + ",".join(f"DNS:{n}" for n in names) + "\n")
            subprocess.run([require_binary("openssl"), "x509", "-req", "-in", str(d / "req.csr"),
                            "-CA", str(d / "ca.crt"), "-CAkey", str(d / "ca.key"), "-CAcreateserial", f"-{digest}",
                            "-days", str(max(1, int(days[1]))), "-extfile", str(d / "ext.cnf"),
                            "-out", str(d / "leaf.crt")], check=True, capture_output=True)
            return x509.load_pem_x509_certificate((d / "leaf.crt").read_bytes())

    def write_root(self, path: Path) -> Path:
        path.write_bytes(self.root.cert_pem)
        return path
