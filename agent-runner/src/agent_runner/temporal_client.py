"""Connecting to Temporal: a local dev server, or an existing cluster over TLS / API key."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Optional

from temporalio.client import Client, Plugin
from temporalio.converter import DataConverter, PayloadCodec
from temporalio.service import TLSConfig

from agent_runner.auth_errors import auth_failure, check_api_key
from agent_runner.config import TemporalSettings
from agent_runner.errors import StartupError
from agent_runner.tls_errors import check_client_certificate, tls_failure


def tls_config(settings: TemporalSettings) -> Optional[TLSConfig]:
    if not settings.tls_enabled:
        return None
    return TLSConfig(
        server_root_ca_cert=settings.tls_ca.read_bytes() if settings.tls_ca else None,
        client_cert=settings.tls_cert.read_bytes() if settings.tls_cert else None,
        client_private_key=settings.tls_key.read_bytes() if settings.tls_key else None,
        domain=settings.tls_server_name,
    )


async def connect(
    settings: TemporalSettings, plugins: Sequence[Plugin] = (), payload_codec: Optional[PayloadCodec] = None
) -> Client:
    """A connected client, or a StartupError saying Temporal cannot be reached."""
    check_client_certificate(settings)
    check_api_key(settings)
    reason = ""
    for attempt in range(2):
        try:
            return await asyncio.wait_for(
                Client.connect(
                    settings.address,
                    namespace=settings.namespace,
                    tls=tls_config(settings) or False,
                    api_key=settings.api_key,
                    plugins=plugins,
                    data_converter=DataConverter(payload_codec=payload_codec) if payload_codec else DataConverter.default,
                ),
                timeout=settings.connect_timeout_seconds,
            )
        except asyncio.TimeoutError:
            reason = f"no answer within {settings.connect_timeout_seconds:g} s"
            break
        except Exception as error:  # the bridge raises plain RuntimeError with a transport message
            text = str(error)
            tls = tls_failure(settings, text)
            if tls is not None:
                raise tls from None
            refused = auth_failure(settings, text)
            if refused is not None:
                raise refused from None
            reason = _short_reason(error)
            # With TLS 1.3 the server judges the client certificate after the handshake: its
            # refusal can reach the first call as a bare transport error. A second connection
            # gets the alert itself (seen against the real server), so it is asked once more.
            if not (attempt == 0 and settings.tls_cert is not None and "error after connection" in text):
                break
    raise StartupError(
        f"cannot reach Temporal at {settings.address} ({reason})",
        "start Temporal or set TEMPORAL_SERVICE_ADDRESS (and TEMPORAL_TLS_*/TEMPORAL_API_KEY for a remote cluster)",
    )


def _short_reason(error: Exception) -> str:
    text = " ".join(str(error).split())
    for marker in ("Connection refused", "connection refused", "dns error", "certificate", "timed out"):
        if marker in text:
            return marker.lower()
    return text[:160] or type(error).__name__
