"""Reading typed values out of environment variables, with errors a user can act on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

from agent_runner.errors import StartupError

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def text(env: Mapping[str, str], name: str, default: str = "") -> str:
    """The stripped value, or default when unset or blank."""
    value = env.get(name, "").strip()
    return value or default


def optional_text(env: Mapping[str, str], name: str) -> Optional[str]:
    value = env.get(name, "").strip()
    return value or None


def positive_int(env: Mapping[str, str], name: str, default: Optional[int]) -> Optional[int]:
    raw = text(env, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise StartupError(f"{name}={raw!r} is not a whole number of at least 1", f"fix or unset {name}")
    return value


def non_negative_float(env: Mapping[str, str], name: str, default: Optional[float]) -> Optional[float]:
    raw = text(env, name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:  # also rejects NaN
        raise StartupError(f"{name}={raw!r} is not a number of at least 0", f"fix or unset {name}")
    return value


def choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = text(env, name, default).lower()
    if raw not in allowed:
        raise StartupError(f"{name}={raw!r} is not one of {', '.join(allowed)}", f"set {name} to one of them")
    return raw


def flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = text(env, name).lower()
    if not raw:
        return default
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise StartupError(f"{name}={raw!r} is not true or false", f"set {name} to true or false")


def host_port(env: Mapping[str, str], name: str, default: str) -> str:
    raw = text(env, name, default)
    host, sep, port = raw.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise StartupError(f"{name}={raw!r} is not host:port", f"set {name} like localhost:7233")
    return raw
