#!/usr/bin/env bash
# Runs every test suite of the repository, each through its own Makefile, and prints one
# summary line. A suite that fails does not stop the others; the exit code reports all.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

# "directory[:target]" (target `test` unless named).
suites=()
[ -f cli/Makefile ] && suites+=("cli")
[ -f agent-runner/Makefile ] && suites+=("agent-runner")
[ -f release/Makefile ] && suites+=("release" "release:cross-arm64")
[ -f tests/e2e/Makefile ] && suites+=("tests/e2e")

passed=0 failed=0 failed_names=()
for suite in "${suites[@]}"; do
  # STIGMER_SKIP_SUITES: space-separated suites a CI job leaves to another job.
  case " ${STIGMER_SKIP_SUITES:-} " in *" $suite "*) printf '\n=== suite %s: skipped ===\n' "$suite"; continue ;; esac
  printf '\n=== suite: %s ===\n' "$suite"
  start=$SECONDS
  dir=${suite%%:*} target=test
  [ "$dir" != "$suite" ] && target=${suite#*:}
  if make --no-print-directory -C "$dir" "$target"; then
    passed=$((passed + 1)); status=ok
  else
    failed=$((failed + 1)); failed_names+=("$suite"); status=FAILED
  fi
  printf '=== suite %s: %s in %ss ===\n' "$suite" "$status" $((SECONDS - start))
done

printf '\n=== lint ===\n'
if bash scripts/lint.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_names+=("lint"); fi

echo
[ "$failed" -gt 0 ] && echo "failed suites: ${failed_names[*]}"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
