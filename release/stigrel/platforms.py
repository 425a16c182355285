"""Platforms and the artifact each component ships on each of them."""
from __future__ import annotations

from dataclasses import dataclass

PLATFORMS: tuple[str, ...] = (
    "linux-amd64",
    "linux-arm64",
    "darwin-amd64",
    "darwin-arm64",
    "windows-amd64",
)


@dataclass(frozen=True)
class Artifact:
    file: str  # name of the file inside {version}/{platform}/
    format: str  # binary | tar.gz | zip
    entry: str  # the executable: the file itself, or its path inside the archive


def is_windows(platform: str) -> bool:
    return platform.startswith("windows-")


def artifact(component: str, platform: str) -> Artifact:
    """The layout of docs/release-manifest.md, one rule per component."""
    exe = ".exe" if is_windows(platform) else ""
    archive = "zip" if is_windows(platform) else "tar.gz"
    if component in ("agent-runner", "temporal", "stigmer"):
        return Artifact(f"{component}.{archive}", archive, f"{component}{exe}")
    raise KeyError(f"unknown component {component!r}")


COMPONENTS: tuple[str, ...] = ("agent-runner", "temporal", "stigmer")
