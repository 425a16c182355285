"""ShutdownSignals on both kinds of event loop: with loop signal handlers (POSIX) and without
them (Windows' loops raise NotImplementedError, so plain handlers hand the signal over).
Real signals are sent to this process; its original handlers are restored afterwards."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator

import pytest

from agent_runner.shutdown import SIGNALS, ShutdownSignals


class LoopWithoutSignalHandlers(asyncio.SelectorEventLoop):
    """Behaves like the Proactor loop of Windows as far as signals go."""

    def add_signal_handler(self, sig: int, callback: object, *args: object) -> None:
        raise NotImplementedError

    def remove_signal_handler(self, sig: int) -> bool:
        raise NotImplementedError


@pytest.fixture(autouse=True)
def restore_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in SIGNALS}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


async def _two_signals_then_uninstall() -> ShutdownSignals:
    stop = ShutdownSignals(grace_seconds=1)
    stop.install()
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(stop.requested.wait(), timeout=5)
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(100):
        if stop.count == 2:
            break
        await asyncio.sleep(0.01)
    stop.uninstall()
    return stop


@pytest.mark.parametrize("loop_class", [asyncio.SelectorEventLoop, LoopWithoutSignalHandlers])
def test_first_signal_requests_the_stop_and_later_ones_are_counted(loop_class: type) -> None:
    loop = loop_class()
    try:
        stop = loop.run_until_complete(_two_signals_then_uninstall())
    finally:
        loop.close()
    assert stop.requested.is_set()
    assert stop.count == 2
    # After uninstall a late signal is ignored rather than raising KeyboardInterrupt.
    assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_break_is_a_stop_signal_where_it_exists() -> None:
    assert signal.SIGTERM in SIGNALS and signal.SIGINT in SIGNALS
    assert (getattr(signal, "SIGBREAK", None) in SIGNALS) == hasattr(signal, "SIGBREAK")
