"""The release workflow and `make release-local` run the same scripts under release/."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO, RELEASE

WORKFLOW = (REPO / ".github" / "workflows" / "release.yml").read_text()
LOCAL = (RELEASE / "release-local.sh").read_text()
SHARED = ["build-cli.sh", "package-cli.sh", "finalize.sh", "publish-channel.sh"]


@pytest.mark.parametrize("script", SHARED)
def test_both_flows_call(script: str) -> None:
    assert f"release/{script}" in WORKFLOW or f"$RELEASE_DIR/{script}" in WORKFLOW
    assert f'"$RELEASE_DIR/{script}"' in LOCAL


@pytest.mark.parametrize("script", ["fetch-temporal.sh", "check-temporal-pins.sh", "smoke-test.sh", "upload.sh", "render-formula.py",
                                    "version.py"])
def test_workflow_uses_the_release_scripts(script: str) -> None:
    assert f"release/{script}" in WORKFLOW


def test_workflow_does_not_sign_or_hash_on_its_own() -> None:
    """Signing and manifests live in release/ only; a copy in YAML would drift."""
    assert not re.search(r"minisign\s+-S", WORKFLOW)
    # (release/make-sha256sums.py is the release script, not the sha256sum command)
    assert not re.search(r"\bsha256sum\b", WORKFLOW) and "manifest.json >" not in WORKFLOW


def test_every_script_the_workflow_names_exists() -> None:
    for name in set(re.findall(r"release/([\w.-]+\.(?:sh|py))", WORKFLOW)):
        assert (RELEASE / name).is_file(), name


def test_channel_published_after_upload_of_all_artifacts() -> None:
    """publish-channel.sh writes the channel file; upload.sh sends it last; nothing else uploads it."""
    upload = (RELEASE / "upload.sh").read_text()
    assert upload.rindex("channels/") > upload.rindex("manifest.json")
