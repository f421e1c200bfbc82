"""API fuzzing: schemathesis generates requests from the whole OpenAPI schema and sends them, signed in with a token
of each role, to the platform in-process (WSGI, the test database seeded with the demo). Every answer must be a
client error or a success — never a server error — and every success must match the schema's description of it.

FUZZ_EXAMPLES (default 4) sets how many requests each operation gets per role.
"""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token

from accounts.models import User

ROLE_USERS = {
    "purchaser": "buyer", "hospital_admin": "hospadmin", "manufacturer_rep": "mfr", "distributor_rep": "dist",
    "pricing_official": "official", "fund_officer": "fund", "platform_admin": "admin",
}
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))


def load_schema():
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    return schema, [not_a_server_error, response_schema_conformance]


@pytest.mark.django_db
@pytest.mark.slow
@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_the_api_never_fails_with_a_server_error_and_answers_as_documented(role):
    call_command("seed_demo", verbosity=0)
    user = User.objects.get(username=ROLE_USERS[role])
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
    schema, checks = load_schema()
    failures: list[str] = []
    operations = calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case, operation=operation):
            nonlocal calls
            calls += 1
            try:
                case.call_and_validate(headers=headers, checks=checks)
            except Exception as exc:  # a failed check: record it with the request that made it
                failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:600]}")
                raise

        before = len(failures)
        try:
            fuzz()
        except Exception as exc:  # a failed check was recorded above; anything else (no request made) is recorded here
            if len(failures) == before:
                failures.append(f"{operation.method.upper()} {operation.path}: {type(exc).__name__}: {str(exc)[:600]}")
    assert operations > 50, operations
    assert calls >= operations, (calls, operations)
    unique = sorted(set(failures))
    assert not unique, f"{len(unique)} failures for {role}:\n" + "\n\n".join(unique[:40])
