"""ExecuteAgent started and awaited through Temporal's HTTP API with plain JSON, the way the
stigmer CLI does it: no Temporal SDK on the client side, input and result as JSON objects."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from fake_llm import ANSWER_PREFIX, FakeLlmServer
from support.launch import start_runner
from support.temporal_dev import TemporalDevServer

pytestmark = pytest.mark.temporal


def _http(method: str, url: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=70) as response:
        return json.loads(response.read())


def _await_close_event(temporal: TemporalDevServer, workflow_id: str, timeout: float = 90) -> dict[str, Any]:
    url = (
        f"{temporal.http_url}/api/v1/namespaces/default/workflows/{workflow_id}/history"
        "?historyEventFilterType=HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT&waitNewEvent=true"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = _http("GET", url).get("history", {}).get("events", [])
        if events:
            return dict(events[-1])
    raise AssertionError("the workflow did not close")


def test_start_and_result_as_plain_json(temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path) -> None:
    runner = start_runner("source", temporal, fake_llm, task_queue, tmp_path)
    try:
        runner.wait_ready()
        workflow_id = f"http-{uuid.uuid4().hex[:8]}"
        request = {
            "workflowType": {"name": "ExecuteAgent"},
            "taskQueue": {"name": task_queue},
            "input": [
                {
                    "prompt": 'List the files. [fake:tool=ls {"path": "/"}]',
                    "instructions": "Use the tools.",
                    "model": {"provider": "anthropic", "model": "claude-fake", "temperature": 0, "max_tokens": 300},
                    "unknown_field": "ignored",
                }
            ],
        }
        started = _http("POST", f"{temporal.http_url}/api/v1/namespaces/default/workflows/{workflow_id}", request)
        assert started.get("started") is True
        close = _await_close_event(temporal, workflow_id)
    finally:
        runner.stop()
    assert close["eventType"] == "EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED", close
    result = close["workflowExecutionCompletedEventAttributes"]["result"][0]
    assert result["answer"].startswith(ANSWER_PREFIX)
    assert [c["name"] for c in result["tool_calls"]] == ["ls"]
    assert result["usage"] == {"input_tokens": 20, "output_tokens": 10, "total_tokens": 30}
    assert (result["provider"], result["model"], result["thread_id"], result["model_calls"]) == ("anthropic", "claude-fake", None, 2)
    body = fake_llm.requests[0]["body"]
    assert body["max_tokens"] == 300 and body["model"] == "claude-fake"
