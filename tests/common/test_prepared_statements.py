"""The platform's queries are sent with server-side parameters and, once repeated on a connection,
as prepared statements (config.settings: DB_PREPARED_STATEMENTS, on by default): PostgreSQL then parses and plans
them once instead of on every request."""

import os

import pytest
from django.db import connection

from accounts.models import Organization


def _prepared(fragment: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{fragment}%"])
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
@pytest.mark.skipif(
    os.environ.get("DB_PREPARED_STATEMENTS", "").lower() in ("false", "0", "off", "no"),
    reason="prepared statements switched off (DB_PREPARED_STATEMENTS)",
)
def test_a_repeated_query_is_prepared_once_and_reused(hospital):
    assert connection.settings_dict["OPTIONS"].get("server_side_binding") is True

    def lookup():
        return list(Organization.objects.filter(pk=hospital.pk, kind="hospital").values_list("name", flat=True))

    lookup()
    assert not _prepared('"accounts_organization"."kind" = $')  # once is not worth preparing
    for _ in range(5):
        assert lookup() == [hospital.name]
    statements = _prepared('"accounts_organization"."kind" = $')
    # one statement, with its parameters as placeholders: other ids and kinds reuse it
    assert len(statements) == 1
    assert '"kind" = $1' in statements[0] and '"id" = $2' in statements[0] and "'hospital'" not in statements[0]
    assert list(Organization.objects.filter(pk=-1, kind="hospital").values_list("name", flat=True)) == []
    assert len(_prepared('"accounts_organization"."kind" = $')) == 1
