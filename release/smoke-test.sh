#!/usr/bin/env bash
# Smoke test of one platform's release artifacts, on a machine of that platform, before
# anything is published: the CLI needs no library a fresh machine lacks and neither it nor the
# agent-runner's bundle needs a newer OS than the floor (check-portable.sh),
# each executable reports VERSION, the agent-runner's `selfcheck` imports its whole agent stack
# and finds every distribution's metadata (every platform), and (Linux) the agent-runner starts
# against a real Temporal dev server and polls its task queue.
#
#   release/smoke-test.sh VERSION PLATFORM_DIR
#
# PLATFORM_DIR is a staged {version}/{os}-{arch}/ directory (stigmer archive, agent-runner,
# temporal archive). STIGMER_SMOKE_TEMPORAL=0 skips the Temporal run.
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

[ "$#" -eq 2 ] || die "usage: smoke-test.sh VERSION PLATFORM_DIR"
version=$1 dir=$2
platform=$(basename "$dir")
exe=$(exe_suffix "$platform")
ext=$(archive_ext "$platform")
work=$(mktemp -d)
pids=()
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

unpack() { # archive destdir
  mkdir -p "$2"
  case "$1" in
    *.zip) unzip -q "$1" -d "$2" ;;
    *) tar -xzf "$1" -C "$2" ;;
  esac
}
unpack "$dir/stigmer.$ext" "$work/stigmer"
unpack "$dir/temporal.$ext" "$work/temporal"
unpack "$dir/agent-runner.$ext" "$work/agent-runner"
stigmer="$work/stigmer/stigmer$exe"
runner="$work/agent-runner/agent-runner$exe"
temporal="$work/temporal/temporal$exe"

expect_version() { # name output
  grep -qF -- "$version" <<<"$2" || die "$1 --version printed '$2', expected it to contain $version"
  log "$1: $2"
}
bash "$RELEASE_DIR/check-portable.sh" "$platform" "$stigmer"
expect_version stigmer "$("$stigmer" --version 2>&1)"
expect_version agent-runner "$("$runner" --version 2>&1)"
temporal_says=$("$temporal" --version 2>&1)
grep -qF "$(temporal_version)" <<<"$temporal_says" || die "temporal --version printed '$temporal_says', expected $(temporal_version)"
log "temporal: $temporal_says"

# `--version` imports almost nothing; selfcheck imports the agent stack, as a real run does, so a
# module or data file the freeze missed on this platform fails here, before anything is published.
selfcheck=$("$runner" selfcheck 2>"$work/selfcheck.err") ||
  { cat "$work/selfcheck.err" >&2; die "agent-runner selfcheck failed: the bundle misses a module or data file (see agent-runner.spec)"; }
problem=$("$(python_bin)" -c '
import json, sys
report = json.loads(sys.stdin.read())
missing = sorted(name for name, v in report.get("distributions", {}).items() if not v)
got = report.get("version")
if got != sys.argv[1]:
    print(f"reports version {got!r}, expected {sys.argv[1]}")
elif report.get("frozen") is not True:
    print("is not a frozen build")
elif missing:
    print("lacks the metadata of " + ", ".join(missing))
elif not report.get("ca_certificates"):
    print("carries no CA certificates")
' "$version" <<<"$selfcheck") || die "agent-runner selfcheck printed no JSON report: $selfcheck"
[ -z "$problem" ] || die "agent-runner selfcheck: the bundle $problem"
log "agent-runner selfcheck: ok"
# The agent-runner's bundle against the same floor. A local build freezes it with this machine's
# own interpreter, so `make release-local`'s tests name this machine's glibc in
# STIGMER_RUNNER_GLIBC_FLOOR; the release workflow never sets it.
STIGMER_GLIBC_FLOOR="${STIGMER_RUNNER_GLIBC_FLOOR:-}" bash "$RELEASE_DIR/check-portable.sh" "$platform" "$work/agent-runner"

case "$platform" in linux-*) ;; *) log "ok ($platform: versions and selfcheck)"; exit 0 ;; esac
[ "${STIGMER_SMOKE_TEMPORAL:-1}" = 1 ] || { log "ok (Temporal run skipped)"; exit 0; }

# A real Temporal dev server on free loopback ports, then the worker against it.
mapfile -t ports < <("$(python_bin)" "$RELEASE_DIR/free-port.py" 4)
grpc=${ports[0]} ui=${ports[1]} http=${ports[2]} metrics=${ports[3]}
"$temporal" server start-dev --headless --ip 127.0.0.1 --port "$grpc" --ui-port "$ui" \
  --http-port "$http" --metrics-port "$metrics" --log-level warn >"$work/temporal.log" 2>&1 &
pids+=($!)
address="127.0.0.1:$grpc"
for _ in $(seq 1 60); do
  "$temporal" operator cluster health --address "$address" >/dev/null 2>&1 && break
  sleep 0.5
done
"$temporal" operator cluster health --address "$address" >/dev/null 2>&1 ||
  { cat "$work/temporal.log" >&2; die "Temporal dev server did not become healthy on $address"; }

queue=agent_execution_runner
# The worker needs a model configuration to start; no model is called (no agent runs here).
STIGMER_LLM_PROVIDER=openai STIGMER_LLM_API_KEY=smoke-test-unused \
  TEMPORAL_SERVICE_ADDRESS="$address" TEMPORAL_NAMESPACE=default \
  TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE="$queue" "$runner" >"$work/runner.log" 2>&1 &
runner_pid=$!
pids+=("$runner_pid")
for _ in $(seq 1 60); do
  kill -0 "$runner_pid" 2>/dev/null || { cat "$work/runner.log" >&2; die "agent-runner exited early"; }
  if "$temporal" task-queue describe --address "$address" --task-queue "$queue" -o json 2>/dev/null |
    grep -q '"identity"'; then
    log "ok: agent-runner $version polls task queue $queue on a real Temporal dev server"
    exit 0
  fi
  sleep 1
done
cat "$work/runner.log" >&2
die "agent-runner did not poll $queue within 60s"
