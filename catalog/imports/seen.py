"""The codes a file has shown so far, for naming the first row of a repeated code (``pipeline``)."""

from __future__ import annotations

from django.db import connection

from . import sql
from .sql import SEP


class SeenCodes:
    """The codes met so far in a file and the row each first appeared on, in a temporary table of the import's
    transaction (a file of a million rows would otherwise keep a million codes in memory)."""

    def __init__(self):
        self.ready = False

    def add(self, codes: dict[str, int]) -> dict[str, int]:
        """Record a batch's codes (code → its first row in the batch); returns those an earlier batch had, with the
        row they first appeared on. Codes are expected unique within the batch."""
        if not codes:
            return {}
        with connection.cursor() as cursor:
            if not self.ready:
                sql.execute(cursor, sql.CREATE_SEEN)
                sql.execute(cursor, sql.EMPTY_SEEN)
                self.ready = True
            keys, rows = list(codes), list(codes.values())
            sql.execute(cursor, sql.ADD_SEEN, {"codes": SEP.join(keys), "sep": SEP, "rows": ",".join(map(str, rows))})
            if cursor.rowcount == len(keys):  # every code new: the usual batch, one statement and nothing to read
                return {}
            sql.execute(cursor, sql.FIRST_ROWS, {"codes": keys})
            return {code: row for code, row in cursor.fetchall() if row != codes[code]}
