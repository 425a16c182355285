"""Certificates for the mutual-TLS cluster tests: a CA, the frontend's certificate, client
certificates from that CA, and the bad ones a runner must be refused with (another CA's,
an expired one). Made fresh for each test session; nothing here is a real secret."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# The name the frontend's certificate carries; runners dial 127.0.0.1 and check this name.
SERVER_NAME = "temporal.stigmer.test"


@dataclass(frozen=True)
class KeyPair:
    cert: Path
    key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)


class Authority:
    """A certificate authority that writes what it signs into one directory."""

    def __init__(self, directory: Path, name: str) -> None:
        self.directory = directory
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        self.certificate = (
            x509.CertificateBuilder().subject_name(_name(name)).issuer_name(_name(name))
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.cert = directory / f"{name}.pem"
        self.cert.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))

    def issue(self, name: str, *, server: bool = False, expired: bool = False) -> KeyPair:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        start, end = now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=1)
        if expired:
            start, end = now - datetime.timedelta(days=3), now - datetime.timedelta(days=1)
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = (
            x509.CertificateBuilder().subject_name(_name(name)).issuer_name(self.certificate.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if server:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(SERVER_NAME)]), critical=False)
        pair = KeyPair(cert=self.directory / f"{name}.pem", key=self.directory / f"{name}.key")
        pair.cert.write_bytes(builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))
        _write_key(key, pair.key)
        return pair


@dataclass(frozen=True)
class ClusterPki:
    ca: Path
    server: KeyPair
    clients: list[KeyPair]  # one per stigmer home
    foreign_client: KeyPair  # signed by another CA: the frontend must refuse it
    expired_client: KeyPair


def make_pki(directory: Path, homes: int = 3) -> ClusterPki:
    directory.mkdir(parents=True, exist_ok=True)
    ca = Authority(directory, "cluster-ca")
    other = Authority(directory, "other-ca")
    return ClusterPki(
        ca=ca.cert,
        server=ca.issue("frontend", server=True),
        clients=[ca.issue(f"runner-{i}") for i in range(homes)],
        foreign_client=other.issue("foreign-runner"),
        expired_client=ca.issue("expired-runner", expired=True),
    )
