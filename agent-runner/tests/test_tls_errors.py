"""TLS problems with a cluster become one line naming the setting (tls_errors.py). The error
texts below are what the SDK's core printed against a real mutual-TLS Temporal server
(tests/e2e/tests/test_production_cluster.py drives the same cases end to end)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from agent_runner.config import read_temporal_settings, TemporalSettings
from agent_runner.errors import StartupError
from agent_runner.tls_errors import check_client_certificate, tls_failure

NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)


def _settings(tmp_path: Path, valid_from: datetime.datetime, valid_to: datetime.datetime) -> TemporalSettings:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "runner")])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(valid_from).not_valid_after(valid_to).sign(key, hashes.SHA256())
    )
    (tmp_path / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "c.key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return read_temporal_settings({"TEMPORAL_SERVICE_ADDRESS": "10.0.0.1:7233", "TEMPORAL_TLS_CERT": str(tmp_path / "c.pem"),
                                   "TEMPORAL_TLS_KEY": str(tmp_path / "c.key")})


def test_an_expired_certificate_is_named_with_its_date(tmp_path: Path) -> None:
    settings = _settings(tmp_path, NOW - datetime.timedelta(days=30), NOW - datetime.timedelta(days=1))
    with pytest.raises(StartupError) as caught:
        check_client_certificate(settings, NOW)
    line = caught.value.one_line()
    assert "expired on 2026-05-31" in line and "[temporal] tls_cert" in line and str(tmp_path / "c.pem") in line


def test_a_valid_certificate_passes_and_a_future_one_does_not(tmp_path: Path) -> None:
    check_client_certificate(_settings(tmp_path, NOW - datetime.timedelta(days=1), NOW + datetime.timedelta(days=1)), NOW)
    with pytest.raises(StartupError, match="not valid before"):
        check_client_certificate(_settings(tmp_path, NOW + datetime.timedelta(days=1), NOW + datetime.timedelta(days=2)), NOW)


def test_a_file_that_is_no_certificate_is_named(tmp_path: Path) -> None:
    settings = _settings(tmp_path, NOW - datetime.timedelta(days=1), NOW + datetime.timedelta(days=1))
    (tmp_path / "c.pem").write_text("not a certificate")
    with pytest.raises(StartupError) as caught:
        check_client_certificate(settings, NOW)
    assert caught.value.one_line().endswith("is not a PEM certificate; fix TEMPORAL_TLS_CERT ([temporal] tls_cert)")


@pytest.mark.parametrize(
    ("core_error", "names"),
    [
        ('Status { code: Unknown, message: "transport error", source: Some(tonic::transport::Error(Transport, '
         'hyper::Error(Io, Custom { kind: InvalidData, error: "received fatal alert: UnknownCA" }))) }',
         ["did not accept the client certificate", "UnknownCA", "[temporal] tls_cert"]),
        ("Server connection error: tonic::transport::Error(Transport, ConnectError(Custom { kind: InvalidData, "
         "error: InvalidCertificate(UnknownIssuer) }))", ["does not trust", "[temporal] tls_ca"]),
        ('InvalidCertificate(NotValidForNameContext { expected: DnsName("other.name") })',
         ["not for the name", "[temporal] tls_server_name"]),
        ("Server connection error: tonic::transport::Error(Transport, InconsistentKeys(KeyMismatch))",
         ["does not match", "[temporal] tls_key"]),
        ('hyper::Error(Canceled, "connection closed")', ["did not accept the client certificate", "closed the connection at the TLS handshake",
                                                         "[temporal] tls_cert"]),
    ],
)
def test_core_tls_errors_name_the_setting(tmp_path: Path, core_error: str, names: list[str]) -> None:
    settings = _settings(tmp_path, NOW - datetime.timedelta(days=1), NOW + datetime.timedelta(days=1))
    error = tls_failure(settings, core_error)
    assert error is not None
    line = error.one_line()
    assert all(n in line for n in names), line
    assert "\n" not in line


def test_other_errors_are_not_tls_errors(tmp_path: Path) -> None:
    settings = _settings(tmp_path, NOW - datetime.timedelta(days=1), NOW + datetime.timedelta(days=1))
    assert tls_failure(settings, "Connection refused (os error 111)") is None


AFTER_CONNECTION = ('Failed client connect: `get_system_info` call error after connection: Status { code: Unknown, message: '
                    '"transport error", source: Some(tonic::transport::Error(Transport, hyper::Error(Io, BrokenPipe))) }')
ALERT = ('Failed client connect: Status { code: Unknown, message: "transport error", source: Some(tonic::transport::Error('
         'Transport, hyper::Error(Io, Custom { kind: InvalidData, error: "received fatal alert: UnknownCA" }))) }')


def test_a_refusal_that_reaches_the_first_call_as_a_bare_transport_error_is_asked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TLS 1.3: the server judges the client certificate after the handshake, so its refusal can
    reach the first call as a bare transport error (seen against the real server); a second
    connection gets the alert, and the refusal is said, not 'cannot reach' and a restart."""
    import asyncio

    from agent_runner import temporal_client
    from agent_runner.errors import SettingsRefused, StartupError

    now = datetime.datetime.now(datetime.timezone.utc)
    settings = _settings(tmp_path, now - datetime.timedelta(days=1), now + datetime.timedelta(days=1))
    answers = [AFTER_CONNECTION, ALERT]

    async def refusing(*args: object, **kwargs: object) -> None:
        raise RuntimeError(answers.pop(0))

    monkeypatch.setattr(temporal_client.Client, "connect", refusing)
    with pytest.raises(SettingsRefused) as refused:
        asyncio.run(temporal_client.connect(settings))
    assert "did not accept the client certificate" in refused.value.one_line() and answers == []

    # Without a client certificate there is nothing to refuse: asked once, 'cannot reach'.
    answers[:] = [AFTER_CONNECTION, ALERT]
    plain = read_temporal_settings({"TEMPORAL_SERVICE_ADDRESS": "10.0.0.1:7233"})
    with pytest.raises(StartupError) as unreachable:
        asyncio.run(temporal_client.connect(plain))
    assert "cannot reach Temporal" in unreachable.value.one_line() and answers == [ALERT]
