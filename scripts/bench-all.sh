#!/usr/bin/env bash
# `make bench`: builds what the benchmarks measure, then prints every figure.
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory -C cli build >/dev/null
make --no-print-directory -C agent-runner build-binary >/dev/null

echo "== bench/download: download + verify + install against curl + sha256sum"
bash bench/download.sh
echo
echo "== bench/agent_runner: size, time to ready, peak memory (from source and frozen)"
agent-runner/.venv/bin/python bench/agent_runner.py
echo
echo "== bench/daemon: warm start against by hand, idle cost, status latency"
python3 bench/daemon.py
echo
echo "== bench/durability: faults through the stack (calls repeated, fault to running), per-step overhead"
make --no-print-directory -C tests/e2e tree >/dev/null
agent-runner/.venv/bin/python bench/durability.py
echo
echo "== bench/run: step delay to stigmer run's output, Ctrl-C to cancelled"
python3 bench/run.py
echo
echo "== bench/update: server update of a running stack (time to current, executions lost), against restart"
python3 bench/update.py
echo
echo "== bench/cluster: executions per minute through a production-shaped Temporal with 1, 2 and 3 runners"
python3 bench/cluster.py
