#!/usr/bin/env bash
# Prints the median time of `stigmer server install` (download + verify + install) of a ~60 MB
# artifact from a loopback server, against `curl -o` followed by `sha256sum` of the same file,
# and their ratio (target: <= 1.0).
#   bench/download.sh [runs]      (STIGMER_BIN overrides the binary, default cli/build/stigmer)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-5}"
SIZE_MB="${BENCH_SIZE_MB:-60}"
STIGMER_BIN="${STIGMER_BIN:-$ROOT/cli/build/stigmer}"
TOOLS="$ROOT/cli/tests/integration"

if [ ! -x "$STIGMER_BIN" ]; then
  echo "bench/download: $STIGMER_BIN not found; run 'make -C cli build' first" >&2
  exit 1
fi

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# A signed release tree with one binary component of SIZE_MB random bytes.
python3 - "$WORK/releases" "$SIZE_MB" "$TOOLS" <<'PY'
import os, sys
sys.path.insert(0, sys.argv[3])
from release_tree import write_release
data = b"#!/bin/sh\necho bench\nexit 0\n" + os.urandom(int(sys.argv[2]) * 1024 * 1024)
write_release(sys.argv[1], "bench", {"payload": {"version": "bench", "format": "binary",
                                                 "entry": "payload", "data": data}})
PY

python3 "$TOOLS/release_server.py" --root "$WORK/releases" --port-file "$WORK/port" &
SERVER_PID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
URL="http://127.0.0.1:$(cat "$WORK/port")"
ARTIFACT_URL="$URL/bench/linux-amd64/payload"
PLATFORM_FLAG=(--platform linux-amd64)  # the tree is built for linux-amd64 whatever the host

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

stigmer_times=()
curl_times=()
for i in $(seq "$RUNS"); do
  start=$(now)
  "$STIGMER_BIN" --home "$WORK/home-$i" --releases-url "$URL" "${PLATFORM_FLAG[@]}" --quiet \
    server install --version bench >/dev/null
  end=$(now)
  stigmer_times+=("$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')")
  rm -rf "$WORK/home-$i"

  start=$(now)
  curl -sSf -o "$WORK/curl-$i" "$ARTIFACT_URL"
  sha256sum "$WORK/curl-$i" >/dev/null
  end=$(now)
  curl_times+=("$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')")
  rm -f "$WORK/curl-$i"
done

stigmer_median=$(printf '%s\n' "${stigmer_times[@]}" | median)
curl_median=$(printf '%s\n' "${curl_times[@]}" | median)
ratio=$(awk -v a="$stigmer_median" -v b="$curl_median" 'BEGIN {print a / b}')
printf 'bench/download: %d MB artifact, %d runs, loopback HTTP\n' "$SIZE_MB" "$RUNS"
printf '  stigmer server install (download+verify+install): median %.3f s\n' "$stigmer_median"
printf '  curl -o + sha256sum:                              median %.3f s\n' "$curl_median"
printf '  ratio stigmer/curl: %.2f (target <= 1.0)\n' "$ratio"
