"""Dying with the one-file bootloader that started this process (Linux).

A one-file executable runs as two processes: the bootloader, which unpacks the bundle, and
this worker, its child. The stigmer daemon starts the bootloader with a parent-death signal,
so a daemon killed with SIGKILL takes the bootloader with it; but a SIGKILLed bootloader
cannot forward anything, and the worker would live on as an orphan. Asking the kernel for
the same parent-death signal here closes that gap.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def _parent_is_our_bootloader() -> bool:
    try:
        return os.path.realpath(f"/proc/{os.getppid()}/exe") == os.path.realpath(sys.executable)
    except OSError:
        return False


def die_with_bootloader() -> bool:
    """Arranges SIGKILL when the bootloader dies; returns whether it did."""
    if sys.platform != "linux" or not getattr(sys, "frozen", False) or not _parent_is_our_bootloader():
        return False
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
        return False
    if os.getppid() != parent:  # the bootloader died before the request took effect
        os.kill(os.getpid(), signal.SIGKILL)
    return True
