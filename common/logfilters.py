"""Logging filters: keep the log for what needs attention.

A refused request (403) is an answer, not a fault: Django logs it with the PermissionDenied traceback attached, so a
read-only admin add page or a role refused an action filled the log with tracebacks. The filter keeps the one-line
warning (method, path, status) and drops the traceback; real errors (5xx) keep theirs.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class RefusalWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
