#!/usr/bin/env bash
# Static checks: shellcheck on every shell script (more checks are added by their owners).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t scripts < <(git ls-files '*.sh' .ci/run)
if [ "${#scripts[@]}" -gt 0 ]; then
  shellcheck "${scripts[@]}"
fi
echo "lint: ok"
