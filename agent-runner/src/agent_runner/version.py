"""The version of this build: the `agent-runner.version` file beside the frozen executable.

`make build-binary VERSION=...` and the release packaging write it; it is not inside the
bundle, so stamping another version rebuilds nothing. From source, and for an executable
without the file, the version is 0.0.0-dev.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

DEFAULT_VERSION = "0.0.0-dev"
VERSION_FILE = "agent-runner.version"


@cache
def current_version() -> str:
    if not getattr(sys, "frozen", False):
        return DEFAULT_VERSION
    try:
        # The real path: a launcher is a symlink into the installed release.
        stamped = (Path(sys.executable).resolve().parent / VERSION_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return DEFAULT_VERSION
    return stamped if _plausible(stamped) else DEFAULT_VERSION


def _plausible(version: str) -> bool:
    return 0 < len(version) <= 64 and all(c.isalnum() or c in ".+-_" for c in version)
