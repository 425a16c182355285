"""Release versions: what a tag means, and which versions may move which channel."""
from __future__ import annotations

import re

# Semantic version 2.0.0 without build metadata (a `+` part is allowed only in local versions).
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?$"
)
# Any version string a local build may use (the manifest contract).
_LOCAL = re.compile(r"^[A-Za-z0-9._+-]+$")


class VersionError(ValueError):
    """A tag or version that cannot name a release."""


def version_from_tag(tag: str) -> str:
    """`v1.2.3` or `refs/tags/v1.2.3` -> `1.2.3`; anything else is refused."""
    name = tag.removeprefix("refs/tags/")
    if not name.startswith("v") or not _SEMVER.match(name[1:]):
        raise VersionError(f"tag {tag!r} is not v<semantic version> (e.g. v1.2.3, v1.3.0-rc.1)")
    return name[1:]


def is_semver(version: str) -> bool:
    return _SEMVER.match(version) is not None


def is_prerelease(version: str) -> bool:
    """True for `1.3.0-rc.1`; also true for anything that is not a semantic version."""
    match = _SEMVER.match(version)
    return match is None or match.group(4) is not None


def check_version(version: str) -> str:
    if not _LOCAL.match(version) or version in (".", ".."):
        raise VersionError(f"version {version!r} may only contain [A-Za-z0-9._+-]")
    return version


def default_channel(version: str) -> str:
    """stable for plain releases, preview for pre-releases, dev for local versions."""
    if not is_semver(version):
        return "dev"
    return "preview" if is_prerelease(version) else "stable"


def check_channel(version: str, channel: str) -> None:
    """A pre-release or local version never moves `stable`."""
    if not re.match(r"^[a-z][a-z0-9-]*$", channel):
        raise VersionError(f"channel {channel!r} must be lowercase letters, digits and '-'")
    if channel == "stable" and is_prerelease(version):
        raise VersionError(f"version {version!r} is a pre-release or local version: it never moves 'stable'")
