"""Running a command where no Python can be found, as on a user's machine.

Inside a private mount namespace (`unshare --mount`, needs root), every Python
installation the build machine has is hidden: interpreter directories are
covered with empty tmpfs, interpreter executables with /dev/null, and PATH
points nowhere. The wrapper checks that `python3` is really gone
before it execs the command, and prints INTERPRETER_HIDDEN_OK on stderr when it is.
"""

from __future__ import annotations

import glob
import os
import shlex
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

MARKER = "INTERPRETER_HIDDEN_OK"


def available() -> bool:
    return os.geteuid() == 0 and shutil.which("unshare") is not None


def _python_places(extra_dirs: Sequence[Path]) -> tuple[list[str], list[str]]:
    """(directories to cover, files to cover) that hold an interpreter or its libraries."""
    home = Path.home()
    dirs = [str(home / ".pyenv"), str(home / ".local" / "lib")]
    dirs += glob.glob("/usr/lib/python3*") + glob.glob("/usr/local/lib/python3*") + glob.glob("/opt/python*")
    dirs += [sys.prefix, sys.base_prefix, os.environ.get("VIRTUAL_ENV", "")]
    dirs += [str(d) for d in extra_dirs]
    files = glob.glob("/usr/bin/python*") + glob.glob("/usr/local/bin/python*") + glob.glob("/bin/python*")
    existing_dirs: list[str] = []
    for d in sorted({os.path.realpath(d) for d in dirs if d and os.path.isdir(d)}, key=len):
        # a directory inside one already covered disappears with it
        if d != "/" and not any(d.startswith(parent + "/") for parent in existing_dirs):
            existing_dirs.append(d)
    return existing_dirs, sorted({f for f in files if os.path.isfile(f)})


def wrap(command: Sequence[str], extra_hidden_dirs: Sequence[Path] = ()) -> list[str]:
    """`command`, run with every Python hidden. The caller's env is passed through."""
    dirs, files = _python_places(extra_hidden_dirs)
    steps = ["set -e"]
    steps += [f"mount -t tmpfs -o size=1m stigmer-no-python {shlex.quote(d)}" for d in dirs]
    steps += [f"mount --bind /dev/null {shlex.quote(f)}" for f in files]
    steps += [
        "export PATH=/nonexistent/stigmer-no-path",  # nothing at all is found through PATH
        "if command -v python3 >/dev/null 2>&1 || command -v python >/dev/null 2>&1; then echo 'python still on PATH' >&2; exit 97; fi",
        "for p in /usr/bin/python3 /usr/local/bin/python3; do if [ -e $p ] && $p -c '' 2>/dev/null; then echo \"$p still runs\" >&2; exit 98; fi; done",
        f"echo {MARKER} >&2",
        'exec "$@"',
    ]
    # Arguments appended to the returned list reach the command too, through "$@".
    return ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", "\n".join(steps), "no-python", *command]
