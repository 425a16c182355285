"""finalize.sh / publish-channel.sh on small synthetic trees: the refusals the workflow relies on."""
from __future__ import annotations

import json
import os
import stat
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from conftest import RELEASE, run


def stage(tree: Path, version: str, platforms: list[str], sbom: bool = True) -> None:
    (tree / version).mkdir(parents=True, exist_ok=True)
    if sbom:
        (tree / version / "sbom.cdx.json").write_text('{"bomFormat": "CycloneDX"}\n')
    for platform in platforms:
        d = tree / version / platform
        d.mkdir(parents=True)
        win = platform.startswith("windows")
        for name in ("agent-runner", "temporal", "stigmer"):
            (d / f"{name}.{'zip' if win else 'tar.gz'}").write_bytes(f"{name} {platform}".encode())


ALL = ["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64", "windows-amd64"]


def finalize(tree: Path, version: str, require_all: bool = False) -> "object":
    env = dict(os.environ, STIGMER_REQUIRE_ALL_PLATFORMS="1" if require_all else "0")
    return run(["bash", str(RELEASE / "finalize.sh"), str(tree), version], env=env)


def test_all_five_platforms(tmp_path: Path) -> None:
    stage(tmp_path, "1.2.3", ALL)
    out = finalize(tmp_path, "1.2.3", require_all=True)
    assert out.returncode == 0, out.stderr
    manifest = json.loads((tmp_path / "1.2.3" / "manifest.json").read_text())
    win = manifest["components"]["temporal"]["platforms"]["windows-amd64"]
    assert win["url"] == "windows-amd64/temporal.zip" and win["format"] == "zip" and win["entry"] == "temporal.exe"
    assert manifest["components"]["agent-runner"]["platforms"]["windows-amd64"]["entry"] == "agent-runner.exe"
    sums = (tmp_path / "1.2.3" / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == 16 and sums[-1].endswith("  sbom.cdx.json")
    assert manifest["sbom"]["url"] == "sbom.cdx.json" and manifest["sbom"]["size"] == len('{"bomFormat": "CycloneDX"}\n')


def test_a_release_without_its_sbom_is_refused(tmp_path: Path) -> None:
    stage(tmp_path, "1.2.3", ["linux-amd64"], sbom=False)
    out = finalize(tmp_path, "1.2.3")
    assert out.returncode != 0 and "sbom.cdx.json: missing" in out.stderr
    assert not (tmp_path / "1.2.3" / "manifest.json.minisig").exists()


def test_a_missing_platform_is_refused_when_all_are_required(tmp_path: Path) -> None:
    stage(tmp_path, "1.2.3", ALL[:-1])
    out = finalize(tmp_path, "1.2.3", require_all=True)
    assert out.returncode != 0 and "windows-amd64" in out.stderr
    assert not (tmp_path / "1.2.3" / "manifest.json").exists()


def test_a_missing_artifact_is_refused(tmp_path: Path) -> None:
    stage(tmp_path, "1.2.3", ["linux-amd64"])
    (tmp_path / "1.2.3" / "linux-amd64" / "stigmer.tar.gz").unlink()
    out = finalize(tmp_path, "1.2.3")
    assert out.returncode != 0 and "stigmer.tar.gz" in out.stderr


def test_a_stray_file_is_refused(tmp_path: Path) -> None:
    stage(tmp_path, "1.2.3", ["linux-amd64"])
    (tmp_path / "1.2.3" / "linux-amd64" / "notes.txt").write_text("x")
    out = finalize(tmp_path, "1.2.3")
    assert out.returncode != 0 and "notes.txt" in out.stderr


def test_prerelease_never_moves_stable(tmp_path: Path) -> None:
    stage(tmp_path, "1.3.0-rc.1", ["linux-amd64"])
    assert finalize(tmp_path, "1.3.0-rc.1").returncode == 0
    refused = run(["bash", str(RELEASE / "publish-channel.sh"), str(tmp_path), "1.3.0-rc.1", "stable"])
    assert refused.returncode != 0 and "never moves 'stable'" in refused.stderr
    assert not (tmp_path / "channels" / "stable.json").exists()
    default = run(["bash", str(RELEASE / "publish-channel.sh"), str(tmp_path), "1.3.0-rc.1"])
    assert default.returncode == 0, default.stderr
    assert json.loads((tmp_path / "channels" / "preview.json").read_text())["version"] == "1.3.0-rc.1"


def test_channel_needs_a_finalized_version(tmp_path: Path) -> None:
    stage(tmp_path, "1.2.3", ["linux-amd64"])
    out = run(["bash", str(RELEASE / "publish-channel.sh"), str(tmp_path), "1.2.3"])
    assert out.returncode != 0 and "not finalized" in out.stderr


def test_signing_with_a_password_protected_key_from_the_environment(tmp_path: Path) -> None:
    """The workflow's path: the key's contents in MINISIGN_SECRET_KEY, its password piped."""
    keys = tmp_path / "keys"
    keys.mkdir()
    gen = run(["minisign", "-G", "-p", str(keys / "r.pub"), "-s", str(keys / "r.key")], input="pw\npw\n")
    assert gen.returncode == 0, gen.stderr
    stage(tmp_path, "1.2.3", ["linux-amd64"])
    env = dict(os.environ, MINISIGN_SECRET_KEY=(keys / "r.key").read_text(), MINISIGN_PASSWORD="pw",
               MINISIGN_PUBLIC_KEY_FILE=str(keys / "r.pub"))
    out = run(["bash", str(RELEASE / "finalize.sh"), str(tmp_path), "1.2.3"], env=env)
    assert out.returncode == 0, out.stderr
    check = run(["minisign", "-V", "-p", str(keys / "r.pub"), "-m", str(tmp_path / "1.2.3" / "manifest.json")])
    assert check.returncode == 0
    wrong = dict(env, MINISIGN_PASSWORD="nope")
    assert run(["bash", str(RELEASE / "finalize.sh"), str(tmp_path), "1.2.3"], env=wrong).returncode != 0


def test_pack_is_reproducible_and_keeps_modes(tmp_path: Path) -> None:
    exe = tmp_path / "tool"
    exe.write_bytes(b"#!/bin/sh\necho hi\n")
    exe.chmod(0o700)
    outs = []
    for i in range(2):
        os.utime(exe, (1000 + i, 1000 + i))  # different mtimes must not change the archive
        for fmt in ("tar.gz", "zip"):
            out = tmp_path / f"a{i}.{fmt}"
            assert run(["python3", str(RELEASE / "pack.py"), "--format", fmt, "--out", str(out), f"{exe}=tool"]).returncode == 0
            outs.append(out.read_bytes())
    assert outs[0] == outs[2] and outs[1] == outs[3]
    with zipfile.ZipFile(tmp_path / "a0.zip") as zf:
        assert stat.S_IMODE(zf.getinfo("tool").external_attr >> 16) == 0o755
    with tarfile.open(tmp_path / "a0.tar.gz") as tar:
        member = tar.getmember("tool")
        assert member.mode == 0o755 and member.uid == 0 and member.mtime == 946684800


def test_pack_dir_takes_a_whole_folder_in_order_and_a_named_file_replaces_its_own(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    (folder / "_internal" / "lib").mkdir(parents=True)
    (folder / "agent-runner").write_bytes(b"exe")
    (folder / "agent-runner").chmod(0o755)
    (folder / "_internal" / "lib" / "b.pyc").write_bytes(b"b")
    (folder / "_internal" / "a.so").write_bytes(b"a")
    (folder / "agent-runner.version").write_text("stale\n")
    stamp = tmp_path / "version"
    stamp.write_text("1.2.3\n")
    out = tmp_path / "bundle.tar.gz"
    result = run(["python3", str(RELEASE / "pack.py"), "--format", "tar.gz", "--out", str(out), "--dir", str(folder),
                  f"{stamp}=agent-runner.version"])
    assert result.returncode == 0, result.stderr
    with tarfile.open(out) as tar:
        assert tar.getnames() == ["_internal/a.so", "_internal/lib/b.pyc", "agent-runner", "agent-runner.version"]
        assert tar.getmember("agent-runner").mode == 0o755 and tar.getmember("_internal/a.so").mode == 0o644
        version = tar.extractfile("agent-runner.version")
        assert version is not None and version.read() == b"1.2.3\n"
    missing = run(["python3", str(RELEASE / "pack.py"), "--format", "zip", "--out", str(tmp_path / "x.zip"), "--dir",
                   str(tmp_path / "nowhere")])
    assert missing.returncode == 1 and "not a directory" in missing.stderr


def test_min_cli_version_is_written_only_when_given(tmp_path: Path) -> None:
    stage(tmp_path, "1.2.3", ["linux-amd64"])
    assert finalize(tmp_path, "1.2.3").returncode == 0
    assert "min_cli_version" not in json.loads((tmp_path / "1.2.3" / "manifest.json").read_text())
    env = dict(os.environ, STIGMER_MIN_CLI_VERSION="1.2.0")
    out = run(["bash", str(RELEASE / "finalize.sh"), str(tmp_path), "1.2.3"], env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads((tmp_path / "1.2.3" / "manifest.json").read_text())["min_cli_version"] == "1.2.0"
    bad = run(["bash", str(RELEASE / "finalize.sh"), str(tmp_path), "1.2.3"],
              env=dict(os.environ, STIGMER_MIN_CLI_VERSION="latest"))
    assert bad.returncode != 0 and "min_cli_version 'latest'" in bad.stderr


def publish(tree: Path, *args: str, **env: str) -> "object":
    return run(["bash", str(RELEASE / "publish-channel.sh"), str(tree), *args],
               env={k: v for k, v in dict(os.environ, **env).items() if k != "STIGMER_RELEASES_URL"})


def channel_version(tree: Path, channel: str = "stable") -> str:
    return str(json.loads((tree / "channels" / f"{channel}.json").read_text())["version"])


def test_a_channel_never_moves_backwards_unless_forced(tmp_path: Path) -> None:
    for version in ("1.2.3", "1.10.0", "1.10.0-rc.1", "1.10.1-rc.1"):
        stage(tmp_path, version, ["linux-amd64"])
        assert finalize(tmp_path, version).returncode == 0
    assert publish(tmp_path, "1.10.0").returncode == 0
    # 1.2.3 < 1.10.0 numerically (a string comparison would say otherwise).
    refused = publish(tmp_path, "1.2.3")
    assert refused.returncode != 0
    assert refused.stderr.strip() == ("make-channel: channel 'stable' names 1.10.0, newer than 1.2.3: a channel never "
                                      "moves backwards (--force or STIGMER_CHANNEL_FORCE=1 to roll it back on purpose)")
    assert channel_version(tmp_path) == "1.10.0"
    assert publish(tmp_path, "1.10.0").returncode == 0  # a re-run of the same version
    forced = run(["bash", str(RELEASE / "publish-channel.sh"), "--force", str(tmp_path), "1.2.3"])
    assert forced.returncode == 0, forced.stderr
    assert channel_version(tmp_path) == "1.2.3"
    assert publish(tmp_path, "1.10.0").returncode == 0
    assert publish(tmp_path, "1.2.3", STIGMER_CHANNEL_FORCE="1").returncode == 0
    assert channel_version(tmp_path) == "1.2.3"
    # Pre-releases: a release candidate is older than its release, newer than the previous one's.
    assert publish(tmp_path, "1.10.0", "preview").returncode == 0
    assert publish(tmp_path, "1.10.0-rc.1", "preview").returncode != 0
    assert publish(tmp_path, "1.10.1-rc.1", "preview").returncode == 0
    assert channel_version(tmp_path, "preview") == "1.10.1-rc.1"


def test_the_live_channel_is_read_when_the_tree_has_none(tmp_path: Path, serve: Callable[[Path], str]) -> None:
    live = tmp_path / "live"
    (live / "channels").mkdir(parents=True)
    (live / "channels" / "stable.json").write_text(json.dumps({"schema": 1, "channel": "stable",
                                                               "version": "2.0.0", "published_at": "x"}))
    tree = tmp_path / "tree"
    stage(tree, "1.9.9", ["linux-amd64"])
    assert finalize(tree, "1.9.9").returncode == 0
    url = serve(live)
    refused = run(["bash", str(RELEASE / "publish-channel.sh"), str(tree), "1.9.9"],
                  env=dict(os.environ, STIGMER_RELEASES_URL=url))
    assert refused.returncode != 0 and "names 2.0.0, newer than 1.9.9" in refused.stderr
    assert not (tree / "channels" / "stable.json").exists()
    (live / "channels" / "stable.json").unlink()  # a first release: the channel does not exist yet
    first = run(["bash", str(RELEASE / "publish-channel.sh"), str(tree), "1.9.9"],
                env=dict(os.environ, STIGMER_RELEASES_URL=url))
    assert first.returncode == 0, first.stderr
    assert channel_version(tree) == "1.9.9"
