#!/usr/bin/env python3
"""Benchmark of `stigmer run` following an agent, through the stack as users get it (the CLI,
Temporal and the frozen agent-runner from a signed release tree).

1. Step delay: from a step being recorded at the worker (its `at`, the workflow time of the task
   that recorded it) to `stigmer run --events` printing it; median over every step of several
   runs (goal <= 200 ms on loopback). Baseline, in the same script: one Steps query round trip
   through Temporal's HTTP API, the floor of any client that asks.
2. Ctrl-C: from SIGINT to `stigmer run` to the execution's close as cancelled (Temporal's
   close time) and to `stigmer run` exiting (goal: cancelled within 2 s).

The LLM is the loopback stand-in that speaks the OpenAI API (agent-runner/tests/fake_llm.py).
Run after `make -C tests/e2e tree`:
    python3 bench/run.py [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from bench_stack import DEFAULT_TREE, Stack, fake_llm_server, new_stack, release_server, require_tree, unpack_cli

STEPS = 4  # tool calls per run: each run has 4 * 3 + 2 steps


def _prompt(marker: str, delay: float) -> str:
    tools = "".join(f'[fake:tool=write_file {{"file_path": "/s{i}.txt", "content": "{i}"}}]' for i in range(1, STEPS + 1))
    return f"[fake:delay={delay}] {marker} {tools}"


def _seconds(rfc3339: str) -> float:
    return datetime.datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


def _lines_with_times(proc: subprocess.Popen) -> list[tuple[float, str]]:
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for line in proc.stdout:
            lines.append((time.time(), line))

    threading.Thread(target=read, daemon=True).start()
    return lines


def step_delays(stack: Stack, runs: int) -> list[float]:
    delays = []
    for _ in range(runs):
        proc = subprocess.Popen(stack.command("run", "--events", _prompt(f"bench-{uuid.uuid4().hex[:8]}", 0.3)),
                                env=stack.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        lines = _lines_with_times(proc)
        proc.wait(timeout=300)
        time.sleep(0.2)
        for printed, line in lines:
            event = json.loads(line)
            if event.get("kind") != "result":
                delays.append(printed - _seconds(event["at"]))
    return delays


def query_round_trips(stack: Stack, workflow_id: str, count: int) -> list[float]:
    url = f"http://127.0.0.1:{stack.ports['http']}/api/v1/namespaces/default/workflows/{workflow_id}/query/Steps"
    body = json.dumps({"query": {"queryType": "Steps", "queryArgs": [{"after": 0}]}}).encode()
    times = []
    for _ in range(count):
        began = time.time()
        urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST")).read()
        times.append(time.time() - began)
    return times


def cancellations(stack: Stack, runs: int) -> list[tuple[float, float]]:
    figures = []
    for _ in range(runs):
        proc = subprocess.Popen(stack.command("run", _prompt(f"bench-{uuid.uuid4().hex[:8]}", 2.0)),
                                env=stack.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        workflow_id = ""
        for line in proc.stderr:
            if line.startswith("started execution"):
                workflow_id = line.split()[2]
            if line.startswith("model call 1:"):
                break
        interrupted = time.time()
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
        exited = time.time()
        runs_now = json.loads(stack.run("runs", "--json", check=True).stdout)
        closed = next(r for r in runs_now if r["workflow_id"] == workflow_id)
        assert closed["state"] == "canceled", closed
        figures.append((_seconds(closed["close_time"]) - interrupted, exited - interrupted))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tree", type=Path, default=DEFAULT_TREE, help="release tree (make -C tests/e2e tree)")
    args = parser.parse_args()
    require_tree(args.tree)
    with tempfile.TemporaryDirectory(prefix="stigmer-bench-") as tmp, release_server(args.tree) as releases_url, \
            fake_llm_server() as fake_llm:
        workdir = Path(tmp)
        stack = new_stack(unpack_cli(args.tree, workdir), workdir / "home", releases_url, fake_llm)
        try:
            stack.start()
            delays = step_delays(stack, args.runs)
            ended = json.loads(stack.run("runs", "--json", "--limit", "1", check=True).stdout)[0]["workflow_id"]
            # A running execution (waiting for approval, so it stays running): the worker has it cached.
            waiting = stack.run("run", "--detach", "--approve", "write_file", _prompt("bench-wait", 0), check=True).stdout.strip()
            time.sleep(3)
            floor = query_round_trips(stack, waiting, 50)
            replayed = query_round_trips(stack, ended, 10)
            stack.run("deny", waiting, check=True)
            median = statistics.median(delays)
            print(f"step recorded at the worker -> printed by stigmer run: median {median * 1000:.0f} ms, "
                  f"p90 {statistics.quantiles(delays, n=10)[-1] * 1000:.0f} ms over {len(delays)} steps (goal <= 200 ms)")
            print(f"baseline, one Steps query round trip to a running execution: median {statistics.median(floor) * 1000:.1f} ms "
                  f"(ratio {median / statistics.median(floor):.1f}); to an ended one (replayed): "
                  f"{statistics.median(replayed) * 1000:.0f} ms")
            figures = cancellations(stack, args.runs)
            print(f"Ctrl-C -> execution closed as cancelled: median {statistics.median(f[0] for f in figures) * 1000:.0f} ms; "
                  f"-> stigmer run exited: median {statistics.median(f[1] for f in figures) * 1000:.0f} ms "
                  f"({len(figures)} runs; goal <= 2 s)")
        finally:
            stack.run("server", "stop", timeout=120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
