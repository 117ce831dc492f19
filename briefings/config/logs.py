"""Log formats (issue #18). `LOG_FORMAT=json` writes one JSON object per line:
time (UTC, ISO 8601), level, logger, message, the exception when there is one,
and any `extra={...}` fields the code passed (a feed's URL, an edition's date).
Text that came from a paper is a JSON string there, so a newline in a headline
cannot start a forged log line. Written here rather than taken from a library:
twenty lines of the standard library do it."""

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has: what is left over came from `extra=`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        body = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in body:
                body[key] = value
        if record.exc_info:
            body["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            body["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(body, ensure_ascii=False, default=str)
