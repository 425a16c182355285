#!/usr/bin/env python3
"""Benchmark of the stigmer daemon against the same stack started by hand.

Prints:
- the median time of a warm `stigmer server start` until every component is ready, against
  starting Temporal and agent-runner by hand (same binaries, same arguments) until ready, and
  the ratio: the daemon's overhead;
- the daemon's resident memory, the CPU time it uses over 60 idle seconds, and how often its
  threads woke (context switches); with --against OLD_STIGMER, the same for another build of the
  CLI (an earlier release, say) in the same run, and the ratios;
- the median latency of `stigmer server status`.

The components are the real Temporal CLI and the frozen agent-runner (its released one-folder
bundle), given to the daemon with --use-local-binary (installed binaries take the same code path
from there). agent-runner needs a provider key to start; no model is called while idle.

    python3 bench/daemon.py [--runs 5] [--idle 60] [--against path/to/other/stigmer]
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = Path(os.environ.get("STIGMER_TOOLS_DIR", Path.home() / ".cache" / "stigmer-dev" / "bin"))
STIGMER = ROOT / "cli" / "build" / "stigmer"
AGENT_RUNNER = ROOT / "agent-runner" / "dist" / "agent-runner-folder" / "agent-runner"  # as released
TEMPORAL = TOOLS / "temporal"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STIGMER_", "TEMPORAL_"))}
    env.update({"STIGMER_LLM_PROVIDER": "openai", "OPENAI_API_KEY": "bench-not-used",
                "STIGMER_LLM_BASE_URL": "http://127.0.0.1:9/v1"})
    return env


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def pollers(http_port: int) -> int:
    url = (f"http://127.0.0.1:{http_port}/api/v1/namespaces/default/task-queues/agent_execution_runner"
           "?taskQueueType=TASK_QUEUE_TYPE_WORKFLOW")
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return len(json.loads(response.read()).get("pollers", []))
    except OSError:
        return 0


def by_hand(home: Path) -> float:
    """Temporal, then agent-runner, each waited for the way the daemon waits; seconds."""
    grpc, ui, http = free_ports(3)
    data = home / "data"
    data.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    temporal = subprocess.Popen([str(TEMPORAL), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(grpc),
                                 "--ui-port", str(ui), "--http-port", str(http), "--db-filename",
                                 str(data / "temporal.db"), "--log-level", "warn"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    while not http_ok(f"http://127.0.0.1:{http}/api/v1/namespaces/default"):
        time.sleep(0.05)
    env = environment() | {"TEMPORAL_SERVICE_ADDRESS": f"127.0.0.1:{grpc}", "STIGMER_LOG_FORMAT": "plain"}
    runner = subprocess.Popen([str(AGENT_RUNNER)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, start_new_session=True)
    assert runner.stderr is not None
    for line in runner.stderr:
        if " event=ready" in line:
            break
    while pollers(http) == 0:
        time.sleep(0.05)
    elapsed = time.monotonic() - began
    for proc in (runner, temporal):
        os.killpg(proc.pid, 15)
        proc.wait(timeout=60)
    return elapsed


def stigmer(home: Path, *args: str, binary: Path = STIGMER) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), "--home", str(home), *args], env=environment(), capture_output=True,
                          text=True, check=True)


def with_daemon(home: Path, ports: list[int], binary: Path = STIGMER) -> float:
    began = time.monotonic()
    stigmer(home, "server", "start", "-q", "--grpc-port", str(ports[0]), "--ui-port", str(ports[1]),
            "--http-port", str(ports[2]), "--use-local-binary", f"temporal={TEMPORAL}",
            "--use-local-binary", f"agent-runner={AGENT_RUNNER}", binary=binary)
    return time.monotonic() - began


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def context_switches(pid: int) -> int:
    """Voluntary and involuntary, summed over the daemon's threads: how often it woke."""
    total = 0
    for status in Path(f"/proc/{pid}/task").glob("*/status"):
        for line in status.read_text().splitlines():
            if "ctxt_switches:" in line:
                total += int(line.split()[1])
    return total


def idle_cost(home: Path, ports: list[int], seconds: int, binary: Path) -> tuple[float, float, float, int]:
    """Resident MiB, CPU seconds, wake-ups per second and thread count of an idle daemon."""
    with_daemon(home, ports, binary)
    pid = json.loads(stigmer(home, "server", "status", "--json", binary=binary).stdout)["daemon"]["pid"]
    time.sleep(5)  # past the start: the stack is settled
    cpu_before, switches_before = cpu_seconds(pid), context_switches(pid)
    time.sleep(seconds)
    cpu = cpu_seconds(pid) - cpu_before
    wakes = (context_switches(pid) - switches_before) / seconds
    threads = len(list(Path(f"/proc/{pid}/task").iterdir()))
    rss = rss_mib(pid)
    stigmer(home, "server", "stop", binary=binary)
    return rss, cpu, wakes, threads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=int, default=60, help="seconds of idle measurement")
    parser.add_argument("--against", type=Path, help="another stigmer build to measure idle the same way")
    args = parser.parse_args()
    for binary in (STIGMER, AGENT_RUNNER, TEMPORAL):
        if not binary.is_file():
            print(f"bench/daemon: {binary} is missing: run `make build` (and `make setup`) first", file=sys.stderr)
            return 1

    with tempfile.TemporaryDirectory(prefix="stigmer-bench-") as tmp:
        home = Path(tmp) / "home"
        ports = free_ports(3)
        # Warm-up: the one-file executable unpacks itself on its first run; the database is created.
        with_daemon(home, ports)
        stigmer(home, "server", "stop")
        by_hand(Path(tmp) / "hand-warmup")

        daemon_times, hand_times = [], []
        for run in range(args.runs):
            hand_times.append(by_hand(Path(tmp) / f"hand-{run}"))
            daemon_times.append(with_daemon(home, ports))
            stigmer(home, "server", "stop")

        rss, cpu_idle, wakes, threads = idle_cost(home, ports, args.idle, STIGMER)
        other = idle_cost(Path(tmp) / "against", ports, args.idle, args.against) if args.against else None
        with_daemon(home, ports)
        latencies = []
        for _ in range(20):
            began = time.monotonic()
            stigmer(home, "server", "status")
            latencies.append((time.monotonic() - began) * 1000)
        stigmer(home, "server", "stop")

    hand, daemon = statistics.median(hand_times), statistics.median(daemon_times)
    print(f"warm start until ready, median of {args.runs}: stigmer server start {daemon:.2f} s, "
          f"by hand {hand:.2f} s, ratio {daemon / hand:.2f}")
    print(f"daemon idle for {args.idle} s: resident memory {rss:.1f} MiB, CPU time {cpu_idle:.2f} s "
          f"({100 * cpu_idle / args.idle:.2f}% of one core), {wakes:.1f} wake-ups/s, {threads} threads")
    if other:
        o_rss, o_cpu, o_wakes, o_threads = other
        print(f"  against {args.against}: {o_rss:.1f} MiB, CPU time {o_cpu:.2f} s "
              f"({100 * o_cpu / args.idle:.2f}% of one core), {o_wakes:.1f} wake-ups/s, {o_threads} threads; "
              f"ratios memory {rss / o_rss:.2f}, CPU {cpu_idle / o_cpu if o_cpu else float('nan'):.2f}, "
              f"wake-ups {wakes / o_wakes if o_wakes else float('nan'):.2f}")
    print(f"stigmer server status latency, median of 20: {statistics.median(latencies):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
