"""A real Temporal dev server (the Temporal CLI's `server start-dev`) on free loopback ports."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

from temporalio.client import Client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_temporal_cli() -> Optional[str]:
    """$STIGMER_TOOLS_DIR/temporal (as scripts/setup.sh installs it), else PATH."""
    tools = os.environ.get("STIGMER_TOOLS_DIR") or str(Path.home() / ".cache" / "stigmer-dev" / "bin")
    candidate = Path(tools) / "temporal"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which("temporal")


class TemporalDevServer:
    def __init__(self, cli: str) -> None:
        self.cli = cli
        self.grpc_port = free_port()
        self.http_port = free_port()
        self.ui_port = free_port()
        self.log_file = tempfile.NamedTemporaryFile(prefix="temporal-dev-", suffix=".log", delete=False)
        self.process: Optional[subprocess.Popen[bytes]] = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, timeout: float = 90.0) -> "TemporalDevServer":
        command = [
            self.cli, "server", "start-dev", "--headless", "--ip", "127.0.0.1",
            "--port", str(self.grpc_port), "--http-port", str(self.http_port), "--ui-port", str(self.ui_port),
            "--log-level", "error", "--dynamic-config-value", "system.enableActivityEagerExecution=true",
        ]
        self.process = subprocess.Popen(command, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True)
        asyncio.run(self._wait_ready(timeout))
        return self

    async def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"temporal dev server exited; see {self.log_file.name}")
            try:
                client = await asyncio.wait_for(Client.connect(self.address), 5)
                await client.count_workflows()  # the frontend answers, the namespace exists
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
