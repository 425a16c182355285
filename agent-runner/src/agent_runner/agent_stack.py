"""The agent stack (LangChain, LangGraph, deepagents, a provider's SDK), imported off the path to `ready`.

Importing it takes most of the runner's start-up, so the worker connects and polls with
Temporal alone and the stack is imported in a thread right after. Nothing that needs it
runs before it is there: every workflow activation and activity input passes the
`AgentStackGate` codec first, the one await Temporal runs before it builds a workflow
instance or calls an activity, and the gate opens once the stack is imported and the
deepagents plugin has installed its patches. A waiting activation waits there, on the
event loop's terms; the loop itself is never blocked by the import.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Optional

from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from agent_runner import logs

# What an execution's workflow and activities import, heaviest first: the rest comes with them.
STACK_MODULES = ("agent_runner.agent_turn", "agent_runner.workspace_backend", "agent_runner.chat_models")

# The LangChain integration each provider's chat model is built with.
PROVIDER_MODULES = {"anthropic": "langchain_anthropic", "openai": "langchain_openai", "ollama": "langchain_ollama"}


def import_agent_stack(provider: Optional[str] = None) -> None:
    """Imports the stack, with the SDK of `provider` (the worker's default) if it has one."""
    for name in STACK_MODULES:
        importlib.import_module(name)
    if provider in PROVIDER_MODULES:
        importlib.import_module(PROVIDER_MODULES[provider])


class AgentStack:
    """The stack being imported in the background, and the gate that waits for it."""

    def __init__(self, provider: Optional[str] = None) -> None:
        self._provider = provider
        self._ready = asyncio.Event()
        self._failed: asyncio.Future[BaseException] = asyncio.get_running_loop().create_future()

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    async def wait(self) -> None:
        await self._ready.wait()

    async def failure(self) -> BaseException:
        """Returns the error that stopped the import (and never returns if none does)."""
        return await asyncio.shield(self._failed)

    def deferring(
        self, run_context: Optional[Callable[[], AbstractAsyncContextManager[None]]]
    ) -> Callable[[], AbstractAsyncContextManager[None]]:
        """A worker run context that starts the worker at once and, in the background, imports
        the stack, enters `run_context` (the plugin's patches need the stack) and opens the gate."""

        @asynccontextmanager
        async def deferred() -> AsyncIterator[None]:
            async with AsyncExitStack() as exits:
                loading = asyncio.create_task(self._load(exits, run_context))
                try:
                    yield
                finally:
                    loading.cancel()
                    await asyncio.gather(loading, return_exceptions=True)

        return deferred

    async def _load(
        self, exits: AsyncExitStack, run_context: Optional[Callable[[], AbstractAsyncContextManager[None]]]
    ) -> None:
        started = time.monotonic()
        try:
            await _in_thread(lambda: import_agent_stack(self._provider))
            if run_context is not None:
                await exits.enter_async_context(run_context())
        except asyncio.CancelledError:
            raise  # the worker stops: nothing failed
        except BaseException as error:  # noqa: BLE001 - whatever stops the import ends the runner
            self._failed.set_result(error)
            return
        self._ready.set()
        seconds = f"{time.monotonic() - started:.2f}"
        logs.event(logs.logger(), "agent_stack_loaded", "agent libraries loaded", seconds=seconds)


async def _in_thread(work: Callable[[], None]) -> None:
    """Runs `work` on a thread of its own (a daemon thread: a stop never waits for an import)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def run() -> None:
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - handed to the loop, which decides
            loop.call_soon_threadsafe(_settle, done, error)
        else:
            loop.call_soon_threadsafe(_settle, done, None)

    threading.Thread(target=run, name="agent-stack-import", daemon=True).start()
    await done


def _settle(done: asyncio.Future[None], error: Optional[BaseException]) -> None:
    if done.done():
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)


class AgentStackGate(PayloadCodec):
    """Changes no payload; its decode, which Temporal awaits before every workflow activation
    and every activity, waits until the agent stack is ready."""

    def __init__(self, stack: AgentStack) -> None:
        self._stack = stack

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return list(payloads)

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        if not self._stack.ready:
            await self._stack.wait()
        return list(payloads)
