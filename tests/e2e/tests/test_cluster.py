"""Beyond one machine: several stigmer homes serve one task queue of an existing Temporal."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import tarfile
import time
import urllib.request
from pathlib import Path

from conftest import TREE, VERSION, Stack, free_ports, stop_process


def temporal_binary(tmp: Path) -> Path:
    with tarfile.open(TREE / VERSION / "linux-amd64" / "temporal.tar.gz") as archive:
        archive.extractall(tmp, filter="data")
    return next(p for p in tmp.rglob("temporal") if p.is_file())


def pollers(http_port: int, queue: str) -> int:
    url = (f"http://127.0.0.1:{http_port}/api/v1/namespaces/default/task-queues/{queue}"
           "?taskQueueType=TASK_QUEUE_TYPE_WORKFLOW")
    with urllib.request.urlopen(url, timeout=5) as response:
        return len({p.get("identity") for p in json.loads(response.read()).get("pollers", [])})


def test_two_homes_share_one_external_temporal(stack: Stack, tmp_path: Path) -> None:
    grpc, ui, http = free_ports(3)
    temporal = subprocess.Popen([str(temporal_binary(tmp_path / "temporal")), "server", "start-dev", "--ip", "127.0.0.1",
                                 "--port", str(grpc), "--ui-port", str(ui), "--http-port", str(http), "--headless"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    machines = [stack, Stack(cli=stack.cli, home=tmp_path / "second-home", env=dict(stack.env), ports=stack.ports)]
    try:
        for machine in machines:
            machine.home.mkdir(parents=True, exist_ok=True)
            (machine.home / "config.toml").write_text(
                f'[temporal]\nmode = "external"\naddress = "127.0.0.1:{grpc}"\nhttp_url = "http://127.0.0.1:{http}"\n'
                'task_queue = "shared-queue"\n')
            deadline = time.monotonic() + 60
            while True:  # the external Temporal may still be starting
                result = machine.run("server", "start")
                if result.returncode == 0 or time.monotonic() > deadline:
                    break
                time.sleep(1)
            assert result.returncode == 0, result.stderr
            components = machine.status()["components"]
            assert [c["name"] for c in components] == ["agent-runner"]
            assert "external cluster 127.0.0.1:%d" % grpc in machine.run("server", "status", check=True).stdout
        assert pollers(http, "shared-queue") == 2
        answers = {machines[i % 2].run("run", f"job {i}", check=True).stdout.strip() for i in range(4)}
        assert answers == {f"fake-llm answer: job {i}" for i in range(4)}
    finally:
        machines[1].run("server", "stop", timeout=120)
        stack.run("server", "stop", timeout=120)
        os.killpg(temporal.pid, signal.SIGTERM)
        stop_process(temporal)
