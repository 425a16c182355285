"""SIGTERM / SIGINT handling: the first signal asks for a graceful stop, later ones are noted.

Under the one-file executable a Ctrl-C can arrive twice (from the terminal and
forwarded by the bootloader parent), so repeated signals must be harmless.

On Windows the daemon stops the worker with CTRL_BREAK, which arrives as SIGBREAK, and the
event loop there has no signal handlers of its own: plain signal handlers hand the signal
to the loop instead.
"""

from __future__ import annotations

import asyncio
import signal
from types import FrameType
from typing import Optional

from agent_runner import logs

SIGNALS: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGINT) + (
    (signal.Signals.SIGBREAK,) if hasattr(signal.Signals, "SIGBREAK") else ()
)


class ShutdownSignals:
    def __init__(self, grace_seconds: float) -> None:
        self.requested = asyncio.Event()
        self.grace_seconds = grace_seconds
        self.count = 0

    def install(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            try:
                loop.add_signal_handler(sig, self._on_signal, sig)
            except NotImplementedError:  # Windows' event loops

                def hand_to_loop(signum: int, _frame: Optional[FrameType]) -> None:
                    loop.call_soon_threadsafe(self._on_signal, signal.Signals(signum))

                signal.signal(sig, hand_to_loop)

    def uninstall(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            try:
                loop.remove_signal_handler(sig)
            except NotImplementedError:
                pass
            # Late signals during interpreter exit must not raise KeyboardInterrupt.
            signal.signal(sig, signal.SIG_IGN)

    def _on_signal(self, sig: signal.Signals) -> None:
        self.count += 1
        log = logs.logger()
        if self.count == 1:
            logs.event(
                log,
                "stopping",
                "stopping: no new executions, waiting for running ones",
                signal=sig.name,
                grace_seconds=self.grace_seconds,
            )
            self.requested.set()
        else:
            logs.event(log, "stopping", "already stopping, signal noted", signal=sig.name, count=self.count)
