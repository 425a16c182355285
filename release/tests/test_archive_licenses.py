"""Every release archive carries a license: ours (LICENSE, Apache-2.0) and THIRD_PARTY_NOTICES in
the CLI and agent-runner archives, upstream's own LICENSE in the mirrored Temporal archive."""
from __future__ import annotations

import re
import tarfile
from pathlib import Path

import pytest
from conftest import PLATFORM, REPO, RELEASE, VERSION, run

LICENSE = (REPO / "LICENSE").read_bytes()


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def member(tree: Path, component: str, name: str) -> bytes | None:
    with tarfile.open(tree / VERSION / PLATFORM / f"{component}.tar.gz") as tar:
        try:
            f = tar.extractfile(name)
        except KeyError:
            return None
        return f.read() if f else None


def test_the_repository_license_is_the_full_apache_2_0_text() -> None:
    text = LICENSE.decode()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert all(f"{n}. " in text for n in range(1, 10)) and "END OF TERMS AND CONDITIONS" in text


@pytest.mark.parametrize("component", ["stigmer", "agent-runner"])
def test_our_archives_carry_license_and_notices(tree: Path, component: str) -> None:
    assert member(tree, component, "LICENSE") == LICENSE
    notices = member(tree, component, "THIRD_PARTY_NOTICES")
    assert notices is not None and b"Third-party software in" in notices


def test_the_temporal_archive_carries_upstreams_own_license(tree: Path) -> None:
    upstream = member(tree, "temporal", "LICENSE")
    assert upstream is not None and upstream != LICENSE


def test_the_agent_runner_notices_name_every_bundled_distribution(tree: Path) -> None:
    notices = (member(tree, "agent-runner", "THIRD_PARTY_NOTICES") or b"").decode()
    with tarfile.open(tree / VERSION / PLATFORM / "agent-runner.tar.gz") as tar:
        dist_infos = [n.split("/")[1] for n in tar.getnames() if n.endswith(".dist-info/METADATA")]
    assert dist_infos
    names_in_notices = {normalize(line.split()[0]) for line in notices.splitlines() if line.strip()}
    for folder in dist_infos:
        assert normalize(folder[: -len(".dist-info")].rsplit("-", 1)[0]) in names_in_notices, folder


def test_packing_the_cli_without_its_library_list_is_refused(tmp_path: Path) -> None:
    exe = tmp_path / "stigmer"
    exe.write_bytes(b"#!/bin/sh\n")
    out = run(["bash", str(RELEASE / "package-cli.sh"), PLATFORM, str(exe), str(tmp_path / "none.json"),
               str(tmp_path / "out")])
    assert out.returncode != 0 and "list-cli-libraries.py writes it" in out.stderr
    assert not (tmp_path / "out" / "stigmer.tar.gz").exists()
