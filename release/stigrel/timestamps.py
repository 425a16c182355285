"""Publication time: SOURCE_DATE_EPOCH when set (reproducible trees), else now, in UTC."""
from __future__ import annotations

import os
from datetime import datetime, timezone


def published_at() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
