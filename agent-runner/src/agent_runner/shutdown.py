"""SIGTERM / SIGINT handling: the first signal asks for a graceful stop, later ones are noted.

Under the one-file executable a Ctrl-C can arrive twice (from the terminal and
forwarded by the bootloader parent), so repeated signals must be harmless.
"""

from __future__ import annotations

import asyncio
import signal

from agent_runner import logs

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class ShutdownSignals:
    def __init__(self, grace_seconds: float) -> None:
        self.requested = asyncio.Event()
        self.grace_seconds = grace_seconds
        self.count = 0

    def install(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            loop.add_signal_handler(sig, self._on_signal, sig)

    def uninstall(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            loop.remove_signal_handler(sig)
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
