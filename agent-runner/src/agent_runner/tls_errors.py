"""TLS problems with a Temporal cluster, said as one line naming the setting to fix.

Each setting is named twice: the variable agent-runner reads and the config.toml key stigmer
users write (the daemon turns the one into the other). A client certificate that has expired
is caught here before connecting, because the server then only closes the connection. Each is
a SettingsRefused: starting again cannot help until the setting changes."""

from __future__ import annotations

import datetime
from typing import Optional

from agent_runner.cert_validity import NotACertificate, validity
from agent_runner.config import TemporalSettings
from agent_runner.errors import SettingsRefused

CERT = "TEMPORAL_TLS_CERT ([temporal] tls_cert)"
KEY = "TEMPORAL_TLS_KEY ([temporal] tls_key)"
CA = "TEMPORAL_TLS_CA ([temporal] tls_ca)"
SERVER_NAME = "TEMPORAL_TLS_SERVER_NAME ([temporal] tls_server_name)"

# TLS alerts a server sends when it will not take the client's certificate.
_REFUSING_ALERTS = ("UnknownCA", "BadCertificate", "CertificateExpired", "CertificateRevoked",
                    "CertificateRequired", "AccessDenied", "UnsupportedCertificate", "DecryptError")


def check_client_certificate(settings: TemporalSettings, now: Optional[datetime.datetime] = None) -> None:
    """Raises SettingsRefused if the client certificate cannot be read or is outside its validity."""
    if settings.tls_cert is None:
        return
    try:
        not_before, not_after = validity(settings.tls_cert.read_bytes())
    except NotACertificate:
        raise SettingsRefused(f"{settings.tls_cert} is not a PEM certificate", f"fix {CERT}") from None
    moment = now or datetime.datetime.now(datetime.timezone.utc)
    if not_after < moment:
        raise SettingsRefused(
            f"the client certificate {settings.tls_cert} expired on {not_after:%Y-%m-%d %H:%M} UTC",
            f"renew it and set {CERT} and {KEY}",
        )
    if not_before > moment:
        raise SettingsRefused(
            f"the client certificate {settings.tls_cert} is not valid before {not_before:%Y-%m-%d %H:%M} UTC",
            f"check this machine's clock, or {CERT}",
        )


def tls_failure(settings: TemporalSettings, text: str) -> Optional[SettingsRefused]:
    """The SettingsRefused for a connection error that is a TLS problem; None for any other error."""
    where = f"Temporal at {settings.address}"
    if "KeyMismatch" in text or "InconsistentKeys" in text:
        return SettingsRefused(f"the private key {settings.tls_key} does not match the client certificate {settings.tls_cert}",
                               f"set {KEY} to the key of {CERT}")
    if "UnknownIssuer" in text or "BadSignature" in text:
        return SettingsRefused(f"{where} presented a certificate signed by a CA this runner does not trust",
                               f"set {CA} to the CA file that signed the cluster's certificate")
    if "NotValidForName" in text:
        return SettingsRefused(f"{where} presented a certificate that is not for the name this runner expects",
                               f"set {SERVER_NAME} to a name in the cluster's certificate")
    alert = next((a for a in _REFUSING_ALERTS if a in text), None)
    if alert is not None and settings.tls_cert is not None:
        return SettingsRefused(f"{where} did not accept the client certificate {settings.tls_cert} (TLS alert {alert})",
                               f"use a certificate of a CA the cluster trusts in {CERT} and {KEY}")
    if alert is not None:
        return SettingsRefused(f"{where} requires a client certificate (TLS alert {alert})", f"set {CERT} and {KEY}")
    if "connection closed" in text and settings.tls_cert is not None:
        # How the server's refusal often arrives: its alert races the close of the connection.
        return SettingsRefused(
            f"{where} did not accept the client certificate {settings.tls_cert} (it closed the connection at the TLS handshake)",
            f"use a certificate of a CA the cluster trusts in {CERT} and {KEY}",
        )
    return None
