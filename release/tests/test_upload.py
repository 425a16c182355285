"""release/upload.sh against a real S3-compatible server (MinIO, built by `make setup`) on
loopback: upload, read back byte for byte, verify, install from the bucket, refuse overwrites."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DEV_PUB, PLATFORM, RELEASE, TOOLS, VERSION, run, stop

USER, SECRET, BUCKET = "stigmer-test", "stigmer-test-secret", "releases"


def free_ports(n: int) -> list[int]:
    out = run([sys.executable, str(RELEASE / "free-port.py"), str(n)])
    return [int(p) for p in out.stdout.split()]


def s3(endpoint: str, method: str, path: str, data: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """An S3 request signed by curl, as upload.sh signs them."""
    payload_hash = hashlib.sha256(data or b"").hexdigest()
    cmd = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:s3",
           "--user", f"{USER}:{SECRET}", "-H", f"x-amz-content-sha256: {payload_hash}",
           "-X", method, f"{endpoint}/{path}"]
    if data is not None:
        cmd[1:1] = ["--data-binary", "@-"]
    return subprocess.run(cmd, input=data.decode() if data else None, capture_output=True, text=True)


@pytest.fixture(scope="module")
def minio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = TOOLS / "minio"
    if not binary.is_file():
        pytest.fail(f"{binary} missing: run `make setup`")
    api, console = free_ports(2)
    env = dict(os.environ, MINIO_ROOT_USER=USER, MINIO_ROOT_PASSWORD=SECRET, MINIO_BROWSER="off")
    data = tmp_path_factory.mktemp("minio")
    proc = subprocess.Popen([str(binary), "server", "--quiet", "--address", f"127.0.0.1:{api}",
                             "--console-address", f"127.0.0.1:{console}", str(data)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{api}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{endpoint}/minio/health/ready", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("MinIO did not start")
        # Ready for health checks is not yet ready for requests under load: 503 means "retry".
        for _ in range(150):
            created = s3(endpoint, "PUT", BUCKET).stdout
            if created != "503":
                break
            time.sleep(0.2)
        assert created == "200"
        # Anonymous read, like the public R2 bucket behind releases.stigmer.ai.
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]},
                  "Action": ["s3:GetObject"], "Resource": [f"arn:aws:s3:::{BUCKET}/*"]}]}
        assert s3(endpoint, "PUT", f"{BUCKET}?policy=", json.dumps(policy).encode()).stdout in ("200", "204")
        yield endpoint
    finally:
        stop(proc)


def upload(endpoint: str, tree: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, S3_ENDPOINT=endpoint, S3_BUCKET=BUCKET, AWS_ACCESS_KEY_ID=USER,
               AWS_SECRET_ACCESS_KEY=SECRET, **extra)
    env.pop("S3_REGION", None)  # the default, `auto`, as for R2
    return run(["bash", str(RELEASE / "upload.sh"), VERSION, str(tree)], env=env)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read()


@pytest.fixture(scope="module")
def uploaded(minio: str, tree: Path) -> tuple[str, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    out = upload(minio, tree)
    assert out.returncode == 0, out.stderr
    print(f"upload of {VERSION}: {time.monotonic() - started:.1f}s")
    return minio, out


def test_every_file_reads_back_identical(uploaded: tuple[str, object], tree: Path) -> None:
    endpoint, _ = uploaded
    # install.sh is left out for a pre-release (test_a_pre_release_leaves_the_stable_installer_alone).
    files = [p for p in tree.rglob("*") if p.is_file() and p.name != "install.sh"]
    assert len(files) == 10 and tree / VERSION / "sbom.cdx.json" in files
    for path in files:
        key = path.relative_to(tree).as_posix()
        assert fetch(f"{endpoint}/{BUCKET}/{key}") == path.read_bytes(), key


def test_downloaded_manifest_and_channel_verify(uploaded: tuple[str, object], tmp_path: Path) -> None:
    endpoint, _ = uploaded
    for key in (f"{VERSION}/manifest.json", "channels/dev.json"):
        name = tmp_path / Path(key).name
        name.write_bytes(fetch(f"{endpoint}/{BUCKET}/{key}"))
        Path(f"{name}.minisig").write_bytes(fetch(f"{endpoint}/{BUCKET}/{key}.minisig"))
        check = run(["minisign", "-V", "-p", str(DEV_PUB), "-m", str(name)])
        assert check.returncode == 0, check.stderr


def test_channel_is_uploaded_last(uploaded: tuple[str, subprocess.CompletedProcess[str]]) -> None:
    _, out = uploaded
    keys = [line.split("uploaded ", 1)[1].split(" ")[0] for line in out.stderr.splitlines() if "uploaded " in line]
    assert keys[-2:] == ["channels/dev.json.minisig", "channels/dev.json"]
    assert keys.index(f"{VERSION}/manifest.json") > max(keys.index(k) for k in keys if k.startswith(f"{VERSION}/{PLATFORM}/"))


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def test_a_pre_release_leaves_the_stable_installer_alone(uploaded: tuple[str, subprocess.CompletedProcess[str]]) -> None:
    # VERSION (dev-test) is not stable: the bucket root's install.sh is the stable release's.
    endpoint, out = uploaded
    assert status_of(f"{endpoint}/{BUCKET}/install.sh") in (403, 404)
    assert "install.sh not uploaded" in out.stderr


def test_install_sh_from_the_bucket(uploaded: tuple[str, object], tmp_path: Path, tree: Path) -> None:
    endpoint, _ = uploaded
    forced = upload(endpoint, tree, STIGMER_UPLOAD_INSTALLER="1")
    assert forced.returncode == 0, forced.stderr
    script = tmp_path / "install.sh"
    script.write_bytes(fetch(f"{endpoint}/{BUCKET}/install.sh"))
    assert script.read_bytes() == (tree / "install.sh").read_bytes()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "STIGMER_RELEASES_URL": f"{endpoint}/{BUCKET}",
           "STIGMER_CHANNEL": "dev"}
    out = run(["sh", str(script)], env=env)
    assert out.returncode == 0, out.stderr
    assert VERSION in run([str(tmp_path / ".local" / "bin" / "stigmer"), "--version"]).stdout


def test_reupload_of_identical_release_is_allowed(uploaded: tuple[str, object], tree: Path) -> None:
    endpoint, _ = uploaded
    assert upload(endpoint, tree).returncode == 0


def test_changed_release_is_not_overwritten(uploaded: tuple[str, object], tree: Path, tmp_path: Path) -> None:
    endpoint, _ = uploaded
    copy = tmp_path / "tree"
    shutil.copytree(tree, copy)
    manifest = copy / VERSION / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"schema": 1', '"schema": 1 '))
    out = upload(endpoint, copy)
    assert out.returncode != 0 and "already published with a different manifest" in out.stderr
    assert fetch(f"{endpoint}/{BUCKET}/{VERSION}/manifest.json") == (tree / VERSION / "manifest.json").read_bytes()


def test_wrong_credentials_fail_clearly(minio: str, tree: Path) -> None:
    env = dict(os.environ, S3_ENDPOINT=minio, S3_BUCKET=BUCKET, AWS_ACCESS_KEY_ID=USER,
               AWS_SECRET_ACCESS_KEY="wrong")
    out = run(["bash", str(RELEASE / "upload.sh"), VERSION, str(tree)], env=env)
    assert out.returncode != 0 and "HTTP 403" in out.stderr


def test_missing_configuration_is_named(tree: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "AWS_"))}
    out = run(["bash", str(RELEASE / "upload.sh"), VERSION, str(tree)], env=env)
    assert out.returncode != 0 and "S3_ENDPOINT is not set" in out.stderr


def test_channels_only_upload_repoints_a_published_version(uploaded: tuple[str, object], tree: Path) -> None:
    endpoint, _ = uploaded
    out = upload(endpoint, tree, STIGMER_UPLOAD_CHANNELS_ONLY="1")
    assert out.returncode == 0, out.stderr
    keys = [line.split("uploaded ", 1)[1].split(" ")[0] for line in out.stderr.splitlines() if "uploaded " in line]
    assert keys == ["channels/dev.json.minisig", "channels/dev.json"]


def test_channels_only_upload_refuses_an_unpublished_version(minio: str, tree: Path, tmp_path: Path) -> None:
    copy = tmp_path / "tree"
    shutil.copytree(tree / VERSION, copy / "never-published")
    out = run(["bash", str(RELEASE / "upload.sh"), "never-published", str(copy)],
              env=dict(os.environ, S3_ENDPOINT=minio, S3_BUCKET=BUCKET, AWS_ACCESS_KEY_ID=USER,
                       AWS_SECRET_ACCESS_KEY=SECRET, STIGMER_UPLOAD_CHANNELS_ONLY="1"))
    assert out.returncode != 0 and "is not published" in out.stderr


def test_cli_installs_from_the_bucket(uploaded: tuple[str, object], tree: Path, tmp_path: Path) -> None:
    """The released CLI, pointed at the bucket (a base URL with a path), installs the release."""
    import tarfile

    endpoint, _ = uploaded
    with tarfile.open(tree / VERSION / PLATFORM / "stigmer.tar.gz") as tar:
        tar.extract("stigmer", tmp_path, filter="data")
    home = tmp_path / "home"
    out = run([str(tmp_path / "stigmer"), "--quiet", "--releases-url", f"{endpoint}/{BUCKET}", "--home", str(home),
               "server", "install", "--version", VERSION], timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    runner = home / "versions" / "agent-runner" / VERSION
    with tarfile.open(tree / VERSION / PLATFORM / "agent-runner.tar.gz") as tar:
        packed = tar.extractfile("agent-runner")
        assert packed is not None and (runner / "agent-runner").read_bytes() == packed.read()
        assert (runner / "agent-runner.version").read_text().strip() == VERSION
