"""A cluster refusing this runner's API key (or its lack of one), said as one line naming the
setting to fix. A Temporal authorizer answers PermissionDenied (or Unauthenticated) with no
reason ("Request unauthorized."), so the line says what the runner knows: whether it sent a
key, and for which namespace. An API key that is a JWT past its `exp` is caught before
connecting, with its date. Each is a SettingsRefused: starting again cannot help."""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from typing import Optional

from agent_runner.config import TemporalSettings
from agent_runner.errors import SettingsRefused

API_KEY = "TEMPORAL_API_KEY ([temporal] api_key)"

_REFUSALS = ("PermissionDenied", "Unauthenticated", "Request unauthorized")


def key_expiry(api_key: str) -> Optional[datetime.datetime]:
    """The `exp` of an API key that is a JWT; None for any other key."""
    parts = api_key.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return None
    expiry = claims.get("exp") if isinstance(claims, dict) else None
    if not isinstance(expiry, (int, float)) or isinstance(expiry, bool):
        return None
    try:
        return datetime.datetime.fromtimestamp(expiry, datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def check_api_key(settings: TemporalSettings, now: Optional[datetime.datetime] = None) -> None:
    """Raises SettingsRefused if the API key is a JWT that has expired."""
    if not settings.api_key:
        return
    expiry = key_expiry(settings.api_key)
    if expiry is not None and expiry < (now or datetime.datetime.now(datetime.timezone.utc)):
        raise SettingsRefused(f"the Temporal API key expired on {expiry:%Y-%m-%d %H:%M} UTC",
                              f"set a new one in {API_KEY}")


def auth_failure(settings: TemporalSettings, text: str) -> Optional[SettingsRefused]:
    """The SettingsRefused for an error that is the cluster refusing the caller; None otherwise."""
    if not any(marker in text for marker in _REFUSALS):
        return None
    where = f"Temporal at {settings.address}"
    if not settings.api_key:
        return SettingsRefused(f"{where} refused this runner for namespace {settings.namespace!r} (permission denied; "
                               "no API key was sent)", f"set {API_KEY} if the cluster requires one")
    return SettingsRefused(f"{where} refused the API key for namespace {settings.namespace!r} (permission denied)",
                           f"set {API_KEY} to a key the cluster trusts with write access to that namespace")
