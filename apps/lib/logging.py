"""Structured logs: one JSON object per line on stderr (time, level, logger, message, and the
traceback of an exception), in every mode, so a deployment's log collector keeps what failed."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        if request := getattr(record, "request", None):  # django.request's records carry it
            entry["path"] = getattr(request, "path", str(request))
        return json.dumps(entry, default=str)
