#!/usr/bin/env bash
# Builds Temporal's server (temporal-server) and SQL schema tool (temporal-sql-tool) from the
# Go module proxy into TOOLS_DIR, and copies that module's PostgreSQL schema files beside
# them (TOOLS_DIR/temporal-schema), for the cluster tests (tests/e2e). Idempotent: a stamp file records the
# version built, so it rebuilds only when TEMPORAL_SERVER_VERSION changes.
set -euo pipefail

TOOLS_DIR="${1:-${STIGMER_TOOLS_DIR:-$HOME/.cache/stigmer-dev/bin}}"
# The server version the Temporal CLI v1.5.1 embeds (its go.mod requires it); its own
# go.mod has no replace directive, so `go install` works.
TEMPORAL_SERVER_VERSION="v1.29.1"
MODULE="go.temporal.io/server"
stamp="$TOOLS_DIR/.temporal-server-version"

if [ -x "$TOOLS_DIR/temporal-server" ] && [ -x "$TOOLS_DIR/temporal-sql-tool" ] &&
  [ -d "$TOOLS_DIR/temporal-schema/postgresql" ] &&
  [ "$(cat "$stamp" 2>/dev/null)" = "$TEMPORAL_SERVER_VERSION" ]; then
  exit 0
fi

printf 'setup: building Temporal server %s and temporal-sql-tool from the Go module proxy (first time only, a few minutes)\n' "$TEMPORAL_SERVER_VERSION"
staging=$(mktemp -d "$TOOLS_DIR/.temporal-server-build.XXXXXX")
trap 'rm -rf "$staging"' EXIT
# One package at a time (-p 1 by default here): the machine has 2 cores shared with others.
GOBIN="$staging" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--p=1}" go install \
  -ldflags "-s -w" \
  "$MODULE/cmd/server@$TEMPORAL_SERVER_VERSION" "$MODULE/cmd/tools/sql@$TEMPORAL_SERVER_VERSION"
module_dir=$(go mod download -json "$MODULE@$TEMPORAL_SERVER_VERSION" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
mkdir -p "$staging/schema"
cp -R "$module_dir/schema/postgresql" "$staging/schema/postgresql"
chmod -R u+w "$staging/schema"

rm -rf "$TOOLS_DIR/temporal-schema"
mv "$staging/schema" "$TOOLS_DIR/temporal-schema"
mv "$staging/server" "$TOOLS_DIR/temporal-server"
mv "$staging/sql" "$TOOLS_DIR/temporal-sql-tool"
echo "$TEMPORAL_SERVER_VERSION" >"$stamp"
