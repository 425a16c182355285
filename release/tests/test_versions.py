"""Versions from tags, and which versions may move which channel."""
from __future__ import annotations

import sys

import pytest
from conftest import RELEASE, run

sys.path.insert(0, str(RELEASE))
from stigrel.channel import build_channel  # noqa: E402
from stigrel.versions import VersionError, default_channel, is_prerelease, version_from_tag  # noqa: E402


@pytest.mark.parametrize("tag,version", [("v1.2.3", "1.2.3"), ("refs/tags/v1.3.0-rc.1", "1.3.0-rc.1"),
                                         ("v0.0.1", "0.0.1"), ("v10.20.30-beta.2", "10.20.30-beta.2")])
def test_version_from_tag(tag: str, version: str) -> None:
    assert version_from_tag(tag) == version


@pytest.mark.parametrize("tag", ["1.2.3", "v1.2", "v01.2.3", "v1.2.3-", "va.b.c", "v1.2.3+build", "release-1"])
def test_bad_tags_are_refused(tag: str) -> None:
    with pytest.raises(VersionError):
        version_from_tag(tag)


@pytest.mark.parametrize("version,channel", [("1.2.3", "stable"), ("1.3.0-rc.1", "preview"), ("dev-test", "dev")])
def test_default_channel(version: str, channel: str) -> None:
    assert default_channel(version) == channel


@pytest.mark.parametrize("version", ["1.3.0-rc.1", "dev-test", "1.2.3+local"])
def test_prerelease_and_local_versions_never_move_stable(version: str) -> None:
    assert is_prerelease(version)
    with pytest.raises(VersionError):
        build_channel("stable", version, "2026-01-01T00:00:00Z")


def test_stable_version_moves_stable() -> None:
    assert build_channel("stable", "1.2.3", "2026-01-01T00:00:00Z")["version"] == "1.2.3"


def test_github_output_for_a_prerelease_tag() -> None:
    out = run([sys.executable, str(RELEASE / "version.py"), "github-output", "v1.3.0-rc.1"])
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["version=1.3.0-rc.1", "prerelease=true", "channel=preview"]


def test_version_py_refuses_a_bad_tag() -> None:
    out = run([sys.executable, str(RELEASE / "version.py"), "from-tag", "1.2.3"])
    assert out.returncode == 1 and "not v<semantic version>" in out.stderr
