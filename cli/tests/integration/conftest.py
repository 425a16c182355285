"""Fixtures: a loopback release server (release_server.py) and a runner for the built binary."""
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

HERE = Path(__file__).parent
ERROR_LINE = re.compile(r"^stigmer: error: .+, .+; .+$")


def stigmer_binary():
    path = os.environ.get("STIGMER_BIN")
    if not path:
        pytest.exit("STIGMER_BIN must point to the built stigmer binary", returncode=2)
    return path


class ReleaseServer:
    def __init__(self, root, tmp):
        self.root = Path(root)
        port_file = Path(tmp) / "port"
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "release_server.py"), "--root", str(self.root),
             "--port-file", str(port_file)])
        deadline = time.time() + 15
        while not port_file.exists():
            if time.time() > deadline or self.process.poll() is not None:
                raise RuntimeError("release server did not start")
            time.sleep(0.05)
        self.port = int(port_file.read_text())
        self.url = f"http://127.0.0.1:{self.port}"

    def _control(self, path, payload=None):
        data = json.dumps(payload or {}).encode() if payload is not None else None
        request = urllib.request.Request(self.url + path, data=data, method="POST" if data else "GET")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def fault(self, path, mode):
        self._control("/_control/fault", {"path": path, "mode": mode})

    def log(self):
        return self._control("/_control/log")

    def requests_for(self, path):
        return [entry for entry in self.log() if entry["path"] == path]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "releases"
    root.mkdir()
    srv = ReleaseServer(root, tmp_path)
    yield srv
    srv.stop()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stigmer:
    def __init__(self, home, server_url):
        self.home = Path(home)
        self.server_url = server_url

    def env(self, extra=None):
        env = {k: v for k, v in os.environ.items()
               if not k.upper().endswith("_PROXY") and not k.startswith("STIGMER_")}
        env["STIGMER_HTTP_TIMEOUT"] = "5"
        env["HOME"] = str(self.home.parent)
        env.update(extra or {})
        return env

    def command(self, *args, url=True):
        command = [stigmer_binary(), "--home", str(self.home)]
        if url and self.server_url:
            command += ["--releases-url", self.server_url]
        return command + list(args)

    def run(self, *args, env=None, url=True, timeout=120):
        result = subprocess.run(self.command(*args, url=url), env=self.env(env),
                                capture_output=True, text=True, timeout=timeout)
        # 10: `server update --check` found an update, which is an answer, not a failure.
        if result.returncode not in (0, 10):
            # Every failure is one line in the documented shape.
            last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
            assert ERROR_LINE.match(last), f"bad error line: {result.stderr!r}"
        return result

    def popen(self, *args, env=None):
        return subprocess.Popen(self.command(*args), env=self.env(env), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def installed_files(self):
        """Everything under versions/ and bin/ (what must stay empty after a failure)."""
        files = []
        for sub in ("versions", "bin", "manifests"):
            base = self.home / sub
            if base.exists():
                files += [p for p in base.rglob("*")]
        return files


@pytest.fixture
def stigmer(tmp_path, server):
    home = tmp_path / "home" / ".stigmer"
    return Stigmer(home, server.url)
