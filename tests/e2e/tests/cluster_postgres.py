"""A throw-away PostgreSQL server from Debian's packages, for the production-shaped Temporal:
a fresh data directory, a free loopback port, trust authentication on loopback only, and
removed, data and all, when the tests end."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from conftest import free_ports

USER = "temporal"


def _bindir() -> Path:
    # Debian installs the server under /usr/lib/postgresql/<major>/bin; take the newest.
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run `make setup` (Debian package postgresql)")
    return found[-1].parent


class Postgres:
    def __init__(self) -> None:
        self.bindir = _bindir()
        self.port = free_ports(1)[0]
        # Not under pytest's tmp_path: as root, the server runs as the postgres user, who must
        # be able to reach its directory.
        self.directory = Path(tempfile.mkdtemp(prefix="stigmer-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        self.proc: subprocess.Popen | None = None

    def _as_owner(self, command: list[str]) -> list[str]:
        # PostgreSQL refuses to run as root (CI runs as a normal user; this machine as root).
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def start(self, timeout: float = 60) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        subprocess.run(self._as_owner([str(self.bindir / "initdb"), "-D", str(self.data), "-U", USER,
                                       "--auth=trust", "--encoding=UTF8", "--no-sync"]),
                       check=True, capture_output=True, text=True)
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                self._as_owner([str(self.bindir / "postgres"), "-D", str(self.data), "-p", str(self.port),
                                "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.directory}",
                                "-c", "fsync=off", "-c", "max_connections=200"]),
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"PostgreSQL exited at start: {self.log.read_text()[-2000:]}")
            ready = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER],
                                   capture_output=True)
            if ready.returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL did not accept connections within {timeout:g} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # the runuser wrapper passes SIGTERM on: a fast shutdown
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        shutil.rmtree(self.directory, ignore_errors=True)
