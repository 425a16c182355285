"""cert_validity reads the validity period that `cryptography` (a test-only dependency here)
wrote, in both DER time forms, and refuses what is no certificate."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from agent_runner.cert_validity import NotACertificate, validity

UTC = datetime.timezone.utc


def _pem(not_before: datetime.datetime, not_after: datetime.datetime, v1: bool = False) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    # An issuer longer than 127 bytes: its length takes the long DER form.
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "c" * 60), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "o" * 60),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "u" * 60)])
    builder = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after)
    )
    if not v1:
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


@pytest.mark.parametrize(
    ("not_before", "not_after"),
    [
        (datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), datetime.datetime(2027, 6, 7, 8, 9, 10, tzinfo=UTC)),
        # From 2050 on a certificate carries GeneralizedTime instead of UTCTime.
        (datetime.datetime(2049, 12, 31, tzinfo=UTC), datetime.datetime(2051, 3, 4, 5, 6, 7, tzinfo=UTC)),
    ],
)
def test_reads_the_period_cryptography_wrote(not_before: datetime.datetime, not_after: datetime.datetime) -> None:
    assert validity(b"text before\n" + _pem(not_before, not_after)) == (not_before, not_after)


@pytest.mark.parametrize(
    "text",
    [b"", b"not a certificate", b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
     b"-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n"],
)
def test_refuses_what_is_no_certificate(text: bytes) -> None:
    with pytest.raises(NotACertificate):
        validity(text)
