"""The channel file: which version a channel currently points at."""
from __future__ import annotations

from typing import Any

from .versions import VersionError, check_channel, is_older

SCHEMA = 1


def build_channel(channel: str, version: str, published_at: str) -> dict[str, Any]:
    check_channel(version, channel)
    return {"schema": SCHEMA, "channel": channel, "version": version, "published_at": published_at}


def check_forward(channel: str, current: str | None, version: str, force: bool) -> None:
    """A channel never moves to an older version than the one it names, unless forced
    (a deliberate rollback): a mistaken re-run of an old tag must not downgrade users."""
    if current is not None and not force and is_older(version, current):
        raise VersionError(f"channel {channel!r} names {current}, newer than {version}: a channel never moves "
                           f"backwards (--force or STIGMER_CHANNEL_FORCE=1 to roll it back on purpose)")
