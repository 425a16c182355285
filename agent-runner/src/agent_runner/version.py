"""The version of this build: stamped by `make build-binary VERSION=...`, else 0.0.0-dev."""

DEFAULT_VERSION = "0.0.0-dev"


def current_version() -> str:
    try:
        # Written by the Makefile before freezing; absent in a plain checkout.
        from agent_runner._version import VERSION  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return DEFAULT_VERSION
    return str(VERSION)
