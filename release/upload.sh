#!/usr/bin/env bash
# Publishes one version of a release tree to an S3-compatible bucket (Cloudflare R2, MinIO, S3)
# through the S3 API, signing requests with curl's --aws-sigv4: no other client needed.
#
#   release/upload.sh VERSION [TREE]          (TREE defaults to out/releases)
#
# Environment: S3_ENDPOINT (e.g. https://<account>.r2.cloudflarestorage.com), S3_BUCKET,
# AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, S3_REGION (default auto, as R2 wants),
# S3_PREFIX (optional key prefix). STIGMER_UPLOAD_OVERWRITE=1 allows replacing a version
# already published with different contents, STIGMER_UPLOAD_CHANNELS_ONLY=1 uploads only the
# channel files naming VERSION, which must already be published (recovery and rollback only:
# see docs/releasing.md). The tree's install.sh goes to the bucket root only for a stable
# version, so a pre-release never replaces the installer users pipe into sh;
# STIGMER_UPLOAD_INSTALLER=1 uploads it anyway (a staging bucket, the tests).
#
# Order matters to clients reading the bucket while it changes: artifacts first, then the
# SBOM, then SHA256SUMS, then the manifest (signature before file), then install.sh, and the channel
# files pointing at VERSION last, so no channel ever names a version that is incomplete.
set -euo pipefail
# shellcheck source=release/lib.sh
source "$(dirname "$0")/lib.sh"

if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then die "usage: upload.sh VERSION [TREE]"; fi
version=$1
tree=${2:-$REPO_ROOT/out/releases}
valid_version "$version" || die "invalid version '$version'"
[ -f "$tree/$version/manifest.json" ] || die "$tree/$version/manifest.json missing (make release-local VERSION=$version)"
for var in S3_ENDPOINT S3_BUCKET AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; do
  [ -n "${!var:-}" ] || die "$var is not set"
done
region=${S3_REGION:-auto}
endpoint=${S3_ENDPOINT%/}
prefix=${S3_PREFIX:-}
prefix=${prefix#/}
[ -z "$prefix" ] || prefix="${prefix%/}/"

# Path-style URL of a key; `+` (allowed in local versions) must be percent-encoded for SigV4.
object_url() { printf '%s/%s/%s' "$endpoint" "$S3_BUCKET" "$(printf '%s%s' "$prefix" "$1" | sed 's/+/%2B/g')"; }

s3() {
  curl -sS --retry 3 --aws-sigv4 "aws:amz:$region:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$@"
}

content_type() {
  case "$1" in
    *.json) echo application/json ;;
    *.minisig | */SHA256SUMS) echo "text/plain; charset=utf-8" ;;
    *.tar.gz) echo application/gzip ;;
    *.zip) echo application/zip ;;
    *.sh) echo "text/plain; charset=utf-8" ;;
    *) echo application/octet-stream ;;
  esac
}

put() {
  local file=$1 key=$2 cache=$3 sha code
  sha=$(sha256_of "$file")
  # The payload hash is part of the signature: the server rejects a body that changed on the way.
  code=$(s3 -o "$response" -w '%{http_code}' -X PUT -T "$file" \
    -H "x-amz-content-sha256: $sha" -H "Content-Type: $(content_type "$key")" \
    -H "Cache-Control: $cache" "$(object_url "$key")") || die "PUT $key failed"
  [ "$code" = 200 ] || die "PUT $key: HTTP $code: $(head -c 500 "$response")"
  # Read the size back: a proxy that truncated the upload must not go unnoticed.
  local size
  size=$(s3 -o /dev/null -I -w '%{header_json}' "$(object_url "$key")" |
    "$(python_bin)" -c 'import json,sys; print(json.load(sys.stdin).get("content-length", ["?"])[0])')
  [ "$size" = "$(file_size "$file")" ] || die "$key: the bucket has $size bytes, expected $(file_size "$file")"
  log "uploaded $key ($size bytes)"
}

# A version already in the bucket is immutable unless its manifest is byte-identical (a retry).
remote=$(mktemp)
response=$(mktemp)
trap 'rm -f "$remote" "$response"' EXIT
code=$(s3 -o "$remote" -w '%{http_code}' "$(object_url "$version/manifest.json")") || die "cannot reach $endpoint"
case "$code" in
  200)
    if ! cmp -s "$remote" "$tree/$version/manifest.json" && [ "${STIGMER_UPLOAD_OVERWRITE:-0}" != 1 ]; then
      die "version $version is already published with a different manifest (STIGMER_UPLOAD_OVERWRITE=1 to replace)"
    fi ;;
  404) [ "${STIGMER_UPLOAD_CHANNELS_ONLY:-0}" != 1 ] || die "version $version is not published: cannot point a channel at it" ;;
  *) die "GET $version/manifest.json: HTTP $code (check S3_ENDPOINT, S3_BUCKET and the credentials)" ;;
esac

immutable="public, max-age=31536000, immutable"
short="public, max-age=60"
cd "$tree"
if [ "${STIGMER_UPLOAD_CHANNELS_ONLY:-0}" != 1 ]; then
  while IFS= read -r file; do
    put "$file" "$file" "$immutable"
  done < <(find "$version" -mindepth 2 -type f | sort)
  for name in sbom.cdx.json SHA256SUMS.minisig SHA256SUMS manifest.json.minisig manifest.json; do
    put "$version/$name" "$version/$name" "$immutable"
  done
  if [ -f install.sh ]; then
    if [ "$("$(python_bin)" "$RELEASE_DIR/version.py" channel "$version")" = stable ] ||
      [ "${STIGMER_UPLOAD_INSTALLER:-0}" = 1 ]; then
      put install.sh install.sh "$short"
    else
      log "install.sh not uploaded: $version is not a stable release (STIGMER_UPLOAD_INSTALLER=1 to upload it anyway)"
    fi
  fi
fi
for channel_file in channels/*.json; do
  [ -f "$channel_file" ] || continue
  grep -Eq "\"version\": \"$(printf '%s' "$version" | sed 's/[.+]/\\&/g')\"" "$channel_file" || continue
  put "$channel_file.minisig" "$channel_file.minisig" "$short"
  put "$channel_file" "$channel_file" "$short"
done
log "published $version to $endpoint/$S3_BUCKET/$prefix"
