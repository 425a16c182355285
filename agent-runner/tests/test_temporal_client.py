"""Connection settings for an existing Temporal cluster (TLS, API key) and connection errors."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from agent_runner.config import read_temporal_settings
from agent_runner.errors import StartupError
from agent_runner.temporal_client import connect, tls_config


def test_tls_config_carries_the_files(tmp_path: Path) -> None:
    for name, text in (("cert.pem", "CERT"), ("key.pem", "KEY"), ("ca.pem", "CA")):
        (tmp_path / name).write_text(text)
    settings = read_temporal_settings(
        {
            "TEMPORAL_TLS_CERT": str(tmp_path / "cert.pem"),
            "TEMPORAL_TLS_KEY": str(tmp_path / "key.pem"),
            "TEMPORAL_TLS_CA": str(tmp_path / "ca.pem"),
            "TEMPORAL_TLS_SERVER_NAME": "temporal.internal",
        }
    )
    tls = tls_config(settings)
    assert tls is not None
    assert (tls.client_cert, tls.client_private_key, tls.server_root_ca_cert, tls.domain) == (
        b"CERT",
        b"KEY",
        b"CA",
        "temporal.internal",
    )


def test_no_tls_for_a_local_dev_server() -> None:
    assert tls_config(read_temporal_settings({})) is None


def test_api_key_alone_means_tls_with_system_roots() -> None:
    settings = read_temporal_settings({"TEMPORAL_API_KEY": "secret"})
    tls = tls_config(settings)
    assert tls is not None and tls.client_cert is None and tls.server_root_ca_cert is None
    assert settings.api_key == "secret" and "secret" not in repr(settings)


def test_unreachable_address_is_a_startup_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = read_temporal_settings({"TEMPORAL_SERVICE_ADDRESS": f"127.0.0.1:{port}", "STIGMER_TEMPORAL_CONNECT_TIMEOUT_SECONDS": "5"})
    with pytest.raises(StartupError) as caught:
        asyncio.run(connect(settings))
    assert f"cannot reach Temporal at 127.0.0.1:{port}" in caught.value.one_line()
