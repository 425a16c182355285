"""release/serve.py: a real HTTP server over loopback, with the Range requests the CLI resumes with."""
from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

DATA = bytes(range(256)) * 40  # 10240 bytes, every offset distinguishable


@pytest.fixture
def base(tmp_path: Path, serve: Callable[[Path], str]) -> str:
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "blob.bin").write_bytes(DATA)
    (tmp_path / "v" / "manifest.json").write_text("{}\n")
    (tmp_path.parent / "secret.txt").write_text("outside the tree")
    return serve(tmp_path)


def get(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_whole_file(base: str) -> None:
    status, headers, body = get(f"{base}/v/blob.bin")
    assert status == 200 and body == DATA
    assert headers["Content-Length"] == str(len(DATA)) and headers["Accept-Ranges"] == "bytes"


def test_json_content_type(base: str) -> None:
    assert get(f"{base}/v/manifest.json")[1]["Content-Type"] == "application/json"


@pytest.mark.parametrize("spec,start,end", [("bytes=100-199", 100, 199), ("bytes=10000-", 10000, 10239),
                                            ("bytes=-40", 10200, 10239), ("bytes=10200-99999", 10200, 10239),
                                            ("bytes=0-", 0, 10239)])
def test_ranges(base: str, spec: str, start: int, end: int) -> None:
    status, headers, body = get(f"{base}/v/blob.bin", {"Range": spec})
    assert status == 206
    assert headers["Content-Range"] == f"bytes {start}-{end}/{len(DATA)}"
    assert body == DATA[start:end + 1]


def test_unsatisfiable_range(base: str) -> None:
    status, headers, _ = get(f"{base}/v/blob.bin", {"Range": "bytes=10240-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(DATA)}"


def test_multi_range_falls_back_to_the_whole_file(base: str) -> None:
    status, _, body = get(f"{base}/v/blob.bin", {"Range": "bytes=0-1,5-6"})
    assert status == 200 and body == DATA


def test_head(base: str) -> None:
    status, headers, body = get(f"{base}/v/blob.bin", method="HEAD")
    assert status == 200 and headers["Content-Length"] == str(len(DATA)) and body == b""


@pytest.mark.parametrize("path", ["/v/missing", "/v", "/../secret.txt", "/%2e%2e/secret.txt"])
def test_not_found_and_no_escape(base: str, path: str) -> None:
    status, _, body = get(base + path)
    assert status == 404 and b"outside the tree" not in body
