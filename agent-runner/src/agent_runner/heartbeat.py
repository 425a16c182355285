"""Heartbeating a Temporal activity while it waits on something slow (an LLM call)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from temporalio import activity

HEARTBEAT_EVERY_SECONDS = 5.0


@contextlib.asynccontextmanager
async def heartbeating(
    details: Callable[[], object], every: float = HEARTBEAT_EVERY_SECONDS
) -> AsyncIterator[None]:
    """Heartbeat every `every` seconds with `details()` until the block ends."""

    async def beat() -> None:
        while True:
            activity.heartbeat(details())
            await asyncio.sleep(every)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
