#!/usr/bin/env bash
# Static checks: actionlint on the workflows, shellcheck on every shell script, `ruby -c` on the
# Homebrew formula as rendered for a full release, clang-format on the CLI's sources.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${STIGMER_TOOLS_DIR:-$HOME/.cache/stigmer-dev/bin}:$PATH"
failed=()

step() { # name command...
  local name=$1
  shift
  if "$@"; then echo "lint: $name ok"; else echo "lint: $name FAILED"; failed+=("$name"); fi
}

mapfile -t scripts < <(git ls-files '*.sh' .ci/run)
shellcheck_all() { [ "${#scripts[@]}" -eq 0 ] || shellcheck -x "${scripts[@]}"; }
step shellcheck shellcheck_all

# actionlint also runs shellcheck on the workflows' `run:` blocks.
actionlint_all() {
  command -v actionlint >/dev/null 2>&1 || { echo "actionlint missing: make setup"; return 1; }
  actionlint
}
step actionlint actionlint_all

# The formula as the release workflow renders it: every platform present.
formula_syntax() {
  local tmp rc=0
  tmp=$(mktemp -d)
  mkdir -p "$tmp/0.0.0"
  for p in darwin-arm64 darwin-amd64 linux-arm64 linux-amd64; do
    printf '%064d  %s/stigmer.tar.gz\n' 0 "$p"
  done >"$tmp/0.0.0/SHA256SUMS"
  python3 release/render-formula.py --tree "$tmp" --version 0.0.0 --require-all-platforms \
    --out "$tmp/stigmer.rb" >/dev/null && ruby -c "$tmp/stigmer.rb" >/dev/null || rc=1
  rm -rf "$tmp"
  return "$rc"
}
step "formula syntax" formula_syntax

# The release scripts' Python, strictly typed (mypy comes with the agent-runner's dev environment).
mypy_release() {
  (cd release && ../agent-runner/.venv/bin/mypy --strict --ignore-missing-imports --no-error-summary \
    --cache-dir ../out/.mypy_cache-release stigrel ./*.py)
}
if [ -x agent-runner/.venv/bin/mypy ]; then step "mypy (release)" mypy_release; fi
# The agent-runner, strictly typed too.
mypy_agent_runner() {
  (cd agent-runner && .venv/bin/mypy --strict --no-error-summary --cache-dir ../out/.mypy_cache-agent-runner src)
}
if [ -x agent-runner/.venv/bin/mypy ]; then step "mypy (agent-runner)" mypy_agent_runner; fi

if grep -q '^format-check:' cli/Makefile 2>/dev/null; then
  step clang-format make --no-print-directory -s -C cli format-check
fi

if [ "${#failed[@]}" -gt 0 ]; then
  echo "lint: failed: ${failed[*]}"
  exit 1
fi
echo "lint: ok"
