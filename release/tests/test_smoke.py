"""release/smoke-test.sh, the workflow's pre-publication check, on the local linux-amd64 artifacts:
versions, then the agent-runner polling its task queue on a real Temporal dev server."""
from __future__ import annotations

import re
import shutil
import tarfile
from pathlib import Path

from conftest import PLATFORM, RELEASE, VERSION, run


def test_smoke_test_passes_on_the_local_artifacts(tree: Path) -> None:
    out = run(["bash", str(RELEASE / "smoke-test.sh"), VERSION, str(tree / VERSION / PLATFORM)], timeout=240)
    assert out.returncode == 0, out.stderr
    assert "polls task queue agent_execution_runner" in out.stderr


def test_release_cli_needs_only_the_c_runtime_and_libcurl(tree: Path, tmp_path: Path) -> None:
    with tarfile.open(tree / VERSION / PLATFORM / "stigmer.tar.gz") as archive:
        archive.extract("stigmer", tmp_path, filter="tar")
    out = run(["bash", str(RELEASE / "check-portable.sh"), PLATFORM, str(tmp_path / "stigmer")])
    assert out.returncode == 0, out.stderr
    needed = set(re.search(r"needs (.*) and GLIBC_", out.stderr).group(1).split())
    assert "libcurl.so.4" in needed and not any(name.startswith(("libsodium", "libarchive", "libcrypto",
                                                                  "libstdc++", "libtomlplusplus")) for name in needed)


def test_portability_check_names_a_library_from_the_build_machine() -> None:
    # minisign is a real executable linked against the system's shared libsodium.
    minisign = shutil.which("minisign")
    assert minisign, "minisign is installed by scripts/setup.sh"
    out = run(["bash", str(RELEASE / "check-portable.sh"), PLATFORM, minisign])
    assert out.returncode != 0
    assert "libsodium.so" in out.stderr and "STIGMER_PORTABLE=ON" in out.stderr


def test_smoke_test_catches_a_wrong_version(tree: Path) -> None:
    out = run(["bash", str(RELEASE / "smoke-test.sh"), "9.9.9", str(tree / VERSION / PLATFORM)], timeout=60)
    assert out.returncode != 0 and "expected it to contain 9.9.9" in out.stderr
