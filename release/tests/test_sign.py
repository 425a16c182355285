"""release/sign.sh makes pre-hashed (ED) signatures only: the CLI refuses legacy (Ed) ones."""
from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path

from conftest import RELEASE


def sign(file: Path, path: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": path}
    for name in ("MINISIGN_SECRET_KEY", "MINISIGN_KEY_FILE", "MINISIGN_PUBLIC_KEY_FILE"):
        env.pop(name, None)
    return subprocess.run(["bash", str(RELEASE / "sign.sh"), str(file)], env=env,
                          capture_output=True, text=True)


def algorithm(signature: Path) -> bytes:
    return base64.b64decode(signature.read_text().splitlines()[1])[:2]


def test_signs_prehashed(tmp_path: Path) -> None:
    file = tmp_path / "manifest.json"
    file.write_text("{}\n")
    result = sign(file, os.environ["PATH"])
    assert result.returncode == 0, result.stderr
    assert algorithm(tmp_path / "manifest.json.minisig") == b"ED"


def test_refuses_a_minisign_that_signs_legacy(tmp_path: Path) -> None:
    # minisign before 0.10 signed legacy (Ed) unless told -H: stand in for one with -l.
    real = shutil.which("minisign")
    assert real
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "minisign").write_text(
        f'#!/bin/sh\nif [ "$1" = -S ]; then shift; exec "{real}" -S -l "$@"; fi\n'
        f'exec "{real}" "$@"\n')
    (fake / "minisign").chmod(0o755)
    file = tmp_path / "manifest.json"
    file.write_text("{}\n")
    result = sign(file, f"{fake}:{os.environ['PATH']}")
    assert result.returncode != 0
    assert "legacy" in result.stderr, result.stderr
