"""HTTPS: a server whose certificate is not trusted is refused (TLS verification is on)."""
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import HERE
from release_tree import write_release


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl tool")
def test_untrusted_certificate_is_refused(tmp_path, stigmer):
    root = tmp_path / "tls-releases"
    write_release(root, "1.0.0")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    port_file = tmp_path / "tls-port"
    server = subprocess.Popen([sys.executable, str(HERE / "release_server.py"), "--root", str(root),
                               "--port-file", str(port_file), "--tls-cert", str(tmp_path / "cert.pem"),
                               "--tls-key", str(tmp_path / "key.pem")])
    try:
        deadline = time.time() + 15
        while not port_file.exists() and time.time() < deadline:
            time.sleep(0.05)
        url = f"https://127.0.0.1:{port_file.read_text()}"
        result = stigmer.run("server", "install", "--version", "1.0.0", url=False,
                             env={"STIGMER_RELEASES_URL": url})
        assert result.returncode == 3, result.stderr
        assert "certificate" in result.stderr.lower()
        assert "retrying" not in result.stderr  # a TLS failure is not retried
        assert not Path(stigmer.home / "bin").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)
