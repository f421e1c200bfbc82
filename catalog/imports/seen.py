"""The codes a file has shown so far, for naming the first row of a repeated code, read together with the products
already holding a batch's codes (``pipeline``)."""

from __future__ import annotations

from django.db import connection

from . import sql
from .sql import SEP


class SeenCodes:
    """The codes met so far in a file and the row each first appeared on, in a temporary table of the import's
    transaction (a file of a million rows would otherwise keep a million codes in memory)."""

    def __init__(self, holding: sql.sql.Composed):
        self.holding = holding  # ``sql.add_seen_holding`` of the product columns to read
        self.ready = False

    def add(self, codes: dict[str, int]) -> tuple[dict[str, int], list[tuple]]:
        """Record a batch's codes (code → its first row in the batch); returns those an earlier batch had, with the
        row they first appeared on, and the products holding any of the codes (the ``holding`` statement's columns,
        one tuple each). Codes are expected unique within the batch."""
        if not codes:
            return {}, []
        with connection.cursor() as cursor:
            if not self.ready:
                sql.execute(cursor, sql.CREATE_SEEN)
                sql.execute(cursor, sql.EMPTY_SEEN)
                self.ready = True
            keys, rows = list(codes), list(codes.values())
            params = {"codes": SEP.join(keys), "sep": SEP, "rows": ",".join(map(str, rows))}
            sql.execute(cursor, self.holding, params)
            found = cursor.fetchall()
            held = [values[1:] for values in found if values[1] is not None]  # the NULLs: no product held a code
            if found[0][0] == len(keys):  # every code new: the usual batch, nothing more to read
                return {}, held
            sql.execute(cursor, sql.FIRST_ROWS, {"codes": keys})
            return {code: row for code, row in cursor.fetchall() if row != codes[code]}, held
