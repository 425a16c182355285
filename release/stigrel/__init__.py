"""Shared helpers of the release scripts (manifest, checksums, channel, formula)."""
