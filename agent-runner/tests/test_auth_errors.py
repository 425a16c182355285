"""A cluster refusing the API key becomes one line naming the setting (auth_errors.py). The error
texts are what the SDK's core printed against the real Temporal server with its JWT authorizer
(tests/e2e/tests/test_production_cluster.py drives the same cases end to end)."""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
from types import SimpleNamespace
from typing import Optional

import pytest

from agent_runner.auth_errors import auth_failure, check_api_key, key_expiry
from agent_runner.config import TemporalSettings, read_temporal_settings
from agent_runner.errors import SettingsRefused
from agent_runner.serve import _wait_until_polling

NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)

_DENIED = (
    'Status { code: PermissionDenied, message: "Request unauthorized.", details: b"\\x08\\x07\\x12\\x15Request '
    'unauthorized.\\x1aJ\\nHtype.googleapis.com/temporal.api.errordetails.v1.PermissionDeniedFailure", metadata: '
    'MetadataMap { headers: {"content-type": "application/grpc"} }, source: None }'
)
# Client.connect with a key the cluster does not trust (its GetSystemInfo is refused).
CONNECT_REFUSED = "Failed client connect: `get_system_info` call error after connection: " + _DENIED
# The worker's namespace check with no key at all (GetSystemInfo is open to anyone).
VALIDATE_REFUSED = ("Worker validation failed: Namespace team-a was not found or otherwise could not be described: "
                    + _DENIED)


def _settings(api_key: Optional[str]) -> TemporalSettings:
    env = {"TEMPORAL_SERVICE_ADDRESS": "10.0.0.1:7233", "TEMPORAL_NAMESPACE": "team-a"}
    if api_key is not None:
        env["TEMPORAL_API_KEY"] = api_key
    return read_temporal_settings(env)


def _jwt(claims: object) -> str:
    def part(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'ES256', 'kid': 'k'})}.{part(claims)}.c2lnbmF0dXJl"


def test_a_refused_key_names_the_setting_and_the_namespace() -> None:
    refused = auth_failure(_settings("some-key"), CONNECT_REFUSED)
    assert isinstance(refused, SettingsRefused)
    assert refused.one_line() == (
        "Temporal at 10.0.0.1:7233 refused the API key for namespace 'team-a' (permission denied); set "
        "TEMPORAL_API_KEY ([temporal] api_key) to a key the cluster trusts with write access to that namespace"
    )


def test_no_key_at_all_says_none_was_sent() -> None:
    refused = auth_failure(_settings(None), VALIDATE_REFUSED)
    assert refused is not None
    assert "no API key was sent" in refused.problem and "namespace 'team-a'" in refused.problem
    assert "TEMPORAL_API_KEY ([temporal] api_key)" in refused.remedy


@pytest.mark.parametrize("text", ["Failed client connect: connection refused", "Namespace x is not found", ""])
def test_other_errors_are_not_refusals(text: str) -> None:
    assert auth_failure(_settings("k"), text) is None


def test_an_expired_jwt_is_named_with_its_date() -> None:
    expired = _jwt({"sub": "runner", "exp": int((NOW - datetime.timedelta(days=1)).timestamp())})
    with pytest.raises(SettingsRefused) as caught:
        check_api_key(_settings(expired), now=NOW)
    assert caught.value.one_line() == (
        "the Temporal API key expired on 2026-05-31 00:00 UTC; set a new one in TEMPORAL_API_KEY ([temporal] api_key)"
    )


@pytest.mark.parametrize("key", [None, "opaque-key", "a.b.c", "x.e30.y", _jwt({"exp": "soon"}), _jwt([1]),
                                 _jwt({"exp": True}), _jwt({"exp": 10**30})])
def test_keys_that_are_not_dated_jwts_are_not_judged(key: Optional[str]) -> None:
    check_api_key(_settings(key), now=NOW)


def test_a_valid_jwt_passes_and_its_expiry_is_read() -> None:
    later = int((NOW + datetime.timedelta(hours=1)).timestamp())
    key = _jwt({"sub": "runner", "exp": later})
    check_api_key(_settings(key), now=NOW)
    assert key_expiry(key) == datetime.datetime.fromtimestamp(later, datetime.timezone.utc)


def test_the_worker_start_says_refused_not_missing_namespace() -> None:
    """serve.py's wait for the first poll: the SDK words a denied namespace check as "not found
    or otherwise", which must not become "namespace does not exist"."""

    async def refused_start() -> None:
        raise RuntimeError(VALIDATE_REFUSED)

    async def wait() -> None:
        run = asyncio.ensure_future(refused_start())
        await asyncio.sleep(0)
        await _wait_until_polling(SimpleNamespace(is_running=False), run,  # type: ignore[arg-type]
                                  SimpleNamespace(temporal=_settings(None)))  # type: ignore[arg-type]

    with pytest.raises(SettingsRefused) as caught:
        asyncio.run(wait())
    assert "no API key was sent" in caught.value.problem, caught.value.problem
