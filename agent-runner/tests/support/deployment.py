"""Worker Versioning in tests: what the daemon does once a new runner polls."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from support.temporal_dev import TemporalDevServer


def set_current_version(temporal: TemporalDevServer, deployment: str, build_id: str, timeout: float = 30) -> None:
    """Makes `build_id` the current version of `deployment` (the version exists only after its
    first poll, so this retries until then)."""
    url = f"{temporal.http_url}/api/v1/namespaces/default/worker-deployments/{deployment}/set-current-version"
    body = json.dumps({"buildId": build_id, "identity": "test"}).encode()
    deadline = time.monotonic() + timeout
    while True:
        request = urllib.request.Request(url, data=body, method="POST", headers={"content-type": "application/json"})
        try:
            urllib.request.urlopen(request, timeout=20).read()
            return
        except (urllib.error.URLError, TimeoutError):  # the version does not exist yet; a busy server
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
