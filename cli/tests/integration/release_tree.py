"""Builds signed stigmer release trees for tests and benchmarks (test infrastructure).

Artifacts are real executables (small shell scripts) packaged as binary, tar.gz or zip; the
manifest and channel files are signed by the `minisign` tool with the committed development key.
"""
import hashlib
import io
import json
import os
import subprocess
import tarfile
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
DEV_KEY = REPO_ROOT / "release" / "keys" / "dev.key"


def script(name, version):
    return f"#!/bin/sh\necho \"{name} {version} $*\"\n".encode()


def tar_gz(members):
    """members: list of (TarInfo-like dict) {name, data?, type?, linkname?, mode?}."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member in members:
            info = tarfile.TarInfo(member["name"])
            info.mode = member.get("mode", 0o755)
            info.type = member.get("type", tarfile.REGTYPE)
            info.linkname = member.get("linkname", "")
            data = member.get("data", b"")
            info.size = len(data) if info.type == tarfile.REGTYPE else 0
            archive.addfile(info, io.BytesIO(data) if info.type == tarfile.REGTYPE else None)
    return buffer.getvalue()


def zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            info = zipfile.ZipInfo(member["name"])
            info.external_attr = (member.get("mode", 0o755) | 0o100000) << 16
            archive.writestr(info, member.get("data", b""))
    return buffer.getvalue()


def sign(path, key=DEV_KEY, legacy=False, trusted_comment=None):
    command = ["minisign", "-S", "-s", str(key), "-m", str(path)]
    if legacy:
        command.insert(2, "-l")
    if trusted_comment:
        command += ["-t", trusted_comment]
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


def default_components(version, platform="linux-amd64"):
    """agent-runner as a plain binary, temporal as tar.gz (nested entry), tool as zip."""
    return {
        "agent-runner": {"version": version, "format": "binary", "entry": "agent-runner",
                         "data": script("agent-runner", version)},
        "temporal": {"version": "1.5.1", "format": "tar.gz", "entry": "bin/temporal",
                     "data": tar_gz([{"name": "bin", "type": tarfile.DIRTYPE},
                                     {"name": "bin/temporal", "data": script("temporal", "1.5.1")},
                                     {"name": "LICENSE", "data": b"MIT\n", "mode": 0o644}])},
        "helper": {"version": "0.1.0", "format": "zip", "entry": "helper",
                   "data": zip_bytes([{"name": "helper", "data": script("helper", "0.1.0")}])},
    }


def write_release(root, version, components=None, platform="linux-amd64", key=DEV_KEY,
                  legacy=False, manifest_overrides=None, sign_manifest=True,
                  published_at="2026-11-24T12:00:00Z"):
    """Writes {root}/{version}/manifest.json(+.minisig) and artifacts; returns the manifest."""
    root = Path(root)
    components = components if components is not None else default_components(version, platform)
    release_dir = root / version
    (release_dir / platform).mkdir(parents=True, exist_ok=True)
    manifest = {"schema": 1, "version": version, "published_at": published_at, "components": {}}
    sums = []
    for name, spec in components.items():
        suffix = {"binary": "", "tar.gz": ".tar.gz", "zip": ".zip"}[spec["format"]]
        relative = f"{platform}/{name}{suffix}"
        data = spec["data"]
        (release_dir / relative).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        sums.append(f"{digest}  {relative}")
        manifest["components"][name] = {
            "version": spec["version"],
            "platforms": {platform: {"url": relative, "sha256": digest, "size": len(data),
                                     "format": spec["format"], "entry": spec["entry"]}},
        }
    if manifest_overrides:
        manifest_overrides(manifest)
    path = release_dir / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2))
    (release_dir / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    if sign_manifest:
        sign(path, key=key, legacy=legacy)
    return manifest


def write_channel(root, channel, version, key=DEV_KEY, published_at="2026-11-24T12:00:00Z"):
    path = Path(root) / "channels" / f"{channel}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"schema": 1, "channel": channel, "version": version,
                                "published_at": published_at}))
    sign(path, key=key)


def generate_key(directory):
    """A fresh minisign key pair the CLI does not trust."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(["minisign", "-G", "-W", "-f", "-p", str(directory / "other.pub"),
                    "-s", str(directory / "other.key")], check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL)
    return directory / "other.key"
