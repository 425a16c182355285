"""The channel file: which version a channel currently points at."""
from __future__ import annotations

from typing import Any

from .versions import check_channel

SCHEMA = 1


def build_channel(channel: str, version: str, published_at: str) -> dict[str, Any]:
    check_channel(version, channel)
    return {"schema": SCHEMA, "channel": channel, "version": version, "published_at": published_at}
