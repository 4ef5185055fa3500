"""Logging filters: a running portal says each thing once, and a refused request in one line."""

import logging


class OneLineClientErrors(logging.Filter):
    """Drop the traceback from django.request records of 4xx answers (403, 404, 405): they are expected.

    Django logs a PermissionDenied with its traceback; outsiders get 403/404 by design, so a log full
    of tracebacks would hide the 500s that matter. Server errors keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" and getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
