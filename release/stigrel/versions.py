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


def _precedence(version: str) -> tuple[tuple[int, int, int], tuple[tuple[int, int, str], ...]]:
    """Semantic-version precedence: numbers, then a release above its pre-releases, whose
    identifiers compare numerically when numeric, below alphanumeric ones, and shorter first."""
    match = _SEMVER.match(version)
    if match is None:
        raise VersionError(f"version {version!r} is not a semantic version: it has no order")
    core = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match.group(4) is None:
        return core, ((2, 0, ""),)
    ids = tuple((0, int(i), "") if i.isdigit() else (1, 0, i) for i in match.group(4).split("."))
    return core, ids


def is_older(version: str, than: str) -> bool:
    """True when `version` precedes `than`; local (non-semantic) versions have no order: False."""
    if not (is_semver(version) and is_semver(than)):
        return False
    (core_a, pre_a), (core_b, pre_b) = _precedence(version), _precedence(than)
    if core_a != core_b:
        return core_a < core_b
    if pre_a[0][0] == 2 or pre_b[0][0] == 2:
        return pre_a[0][0] != 2 and pre_b[0][0] == 2
    return pre_a < pre_b
