#!/usr/bin/env bash
# `make demo`: the user's journey from nothing. Sets up and builds only what it needs (nothing
# that did not change), publishes a local signed release, serves it on loopback, then - with a
# fresh STIGMER_HOME and the CLI unpacked from the release - starts the stack, runs one agent,
# shows status and logs, and stops. The last line says how long it all took.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="${VERSION:-dev-test}"
TREE="$PWD/out/releases"
DEMO="$PWD/out/demo"
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

pids=()
cleanup() {
  if [ -x "$DEMO/cli/stigmer" ]; then "$DEMO/cli/stigmer" --home "$DEMO/home" server stop >/dev/null 2>&1 || true; fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

say "0/7 set up what the demo needs (once; scripts/setup.sh demo)"
bash scripts/setup.sh demo

say "1/7 build the CLI and the agent-runner (what changed only), and publish a signed local release $VERSION"
# Built against this machine's libraries (not the glibc floor's, release/static-deps.sh): the
# demo runs here, and skips the toolchain download and the libraries' builds a release needs.
STIGMER_STATIC_DEPS=0 bash release/release-local.sh "$VERSION"

say "2/7 serve the release tree on loopback"
rm -rf "$DEMO" && mkdir -p "$DEMO/cli"
python3 release/serve.py --root "$TREE" --port 0 >"$DEMO/serve.url" 2>"$DEMO/serve.log" &
pids+=($!)
for _ in $(seq 100); do [ -s "$DEMO/serve.url" ] && break; sleep 0.1; done
releases_url=$(head -1 "$DEMO/serve.url")
echo "releases at $releases_url"

say "3/7 install the CLI as a user would: from the release's own archive"
tar -xzf "$TREE/$VERSION/linux-amd64/stigmer.tar.gz" -C "$DEMO/cli"
stigmer=$(find "$DEMO/cli" -type f -name stigmer | head -1)
ln -sf "$stigmer" "$DEMO/cli/stigmer" 2>/dev/null || true
"$DEMO/cli/stigmer" version

# A real provider when a key is there; otherwise a labelled stand-in.
if [ -n "${ANTHROPIC_API_KEY:-}" ]; then
  export STIGMER_LLM_PROVIDER=anthropic
  echo "using Anthropic (ANTHROPIC_API_KEY is set)"
elif [ -n "${OPENAI_API_KEY:-}" ]; then
  export STIGMER_LLM_PROVIDER=openai
  echo "using OpenAI (OPENAI_API_KEY is set)"
else
  python3 agent-runner/tests/fake_llm.py --port 0 >"$DEMO/llm.url" 2>"$DEMO/llm.log" &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$DEMO/llm.url" ] && break; sleep 0.1; done
  llm_url=$(head -1 "$DEMO/llm.url" | awk '{print $NF}')
  export STIGMER_LLM_PROVIDER=openai STIGMER_LLM_BASE_URL="$llm_url/v1" STIGMER_LLM_MODEL=stand-in
  export OPENAI_API_KEY=demo-key-for-the-stand-in
  echo "No ANTHROPIC_API_KEY or OPENAI_API_KEY in the environment, so the agent talks to a"
  echo "loopback stand-in that speaks the OpenAI chat API ($llm_url, agent-runner/tests/fake_llm.py)."
  echo "Set one of those keys to run the demo against the real provider."
fi

read -r grpc ui http <<<"$(python3 release/free-port.py 3 | tr '\n' ' ')"
export STIGMER_HOME="$DEMO/home" STIGMER_RELEASES_URL="$releases_url"
say "4/7 stigmer server start   (fresh home $STIGMER_HOME; ports $grpc, $ui, $http)"
"$DEMO/cli/stigmer" server start --grpc-port "$grpc" --ui-port "$ui" --http-port "$http"

say "5/7 stigmer run"
prompt='Create a file named hello.txt that says hello from stigmer, then tell me what you did.'
[ -z "${llm_url:-}" ] || prompt='[fake:tool=write_file {"file_path": "/hello.txt", "content": "hello from stigmer"}] Create hello.txt.'
"$DEMO/cli/stigmer" run "$prompt"

say "6/7 stigmer server status, and the last lines of stigmer server logs --all"
"$DEMO/cli/stigmer" server status
"$DEMO/cli/stigmer" server logs --all -n 15

say "7/7 stigmer server stop"
"$DEMO/cli/stigmer" server stop
echo "demo complete in $((SECONDS / 60)) min $((SECONDS % 60)) s"
