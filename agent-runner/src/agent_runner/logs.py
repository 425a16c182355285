"""Log lines on stderr, plain (key=value) or one JSON object per line.

A record may carry `event` (a stable machine-readable name such as "ready") and
`fields` (a dict) through `extra`; both formats print them so a supervisor can
parse them. Tracebacks are printed only at debug level: at other levels an
exception is reduced to its one-line message.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any, Optional

LOGGER_NAME = "agent_runner"


def _timestamp(record: logging.LogRecord) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    return f"{seconds}.{int(record.msecs):03d}Z"


def _record_fields(record: logging.LogRecord) -> dict[str, Any]:
    found: dict[str, Any] = {}
    event = getattr(record, "event", None)
    if event:
        found["event"] = event
    extra = getattr(record, "fields", None)
    if isinstance(extra, dict):
        found.update(extra)
    return found


def _exception_summary(record: logging.LogRecord) -> Optional[str]:
    if not record.exc_info or record.exc_info[1] is None:
        return None
    error = record.exc_info[1]
    return f"{type(error).__name__}: {error}"


def _plain_value(value: Any) -> str:
    text = str(value)
    if text == "" or any(c in text for c in ' "=\n'):
        return json.dumps(text)
    return text


class PlainFormatter(logging.Formatter):
    def __init__(self, tracebacks: bool) -> None:
        super().__init__()
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        parts = [_timestamp(record), record.levelname, f"{record.name}:", record.getMessage()]
        parts += [f"{k}={_plain_value(v)}" for k, v in _record_fields(record).items()]
        summary = _exception_summary(record)
        if summary:
            parts.append(f"error={_plain_value(summary)}")
        line = " ".join(parts)
        if self.tracebacks and record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    def __init__(self, tracebacks: bool) -> None:
        super().__init__()
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_record_fields(record))
        summary = _exception_summary(record)
        if summary:
            entry["error"] = summary
        if self.tracebacks and record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, separators=(",", ":"), default=str)


def configure(log_format: str = "plain", level: str = "info") -> None:
    """Send every logger (ours, temporalio's, warnings) to stderr in the chosen format."""
    tracebacks = level == "debug"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(tracebacks) if log_format == "json" else PlainFormatter(tracebacks))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Chatty HTTP client libraries only matter when debugging.
    for noisy in ("httpx", "httpcore", "anthropic", "openai"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    logging.captureWarnings(True)
    # Library deprecation warnings name internal file paths: for developers, not operators.
    logging.getLogger("py.warnings").setLevel(logging.DEBUG if level == "debug" else logging.ERROR)


def logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


def event(log: logging.Logger, name: str, message: str, level: int = logging.INFO, **fields: Any) -> None:
    log.log(level, message, extra={"event": name, "fields": fields})
