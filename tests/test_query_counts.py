"""No list endpoint of the API costs a query per row: the number of queries for a page of 1 row equals that for a
page of 40, for every role that may read the list, on the demo province (`seed_demo`).

The endpoints come from the access matrix (every GET route of /api/v1/ without an object in its path), so a new
list endpoint is checked without being named here. A list the demo gives fewer than 2 rows for a role proves nothing
for that role; each endpoint must be proved by at least one role, or be named in THIN with the reason.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tests.security.test_access_matrix import ROLE_USERS, ROUTES, allowed

SMALL, LARGE = 1, 40
# Endpoints that answer an aggregate or a single object rather than a page of rows.
NOT_PAGED = {
    "/api/v1/": "the API root",
    "/api/v1/users/me/": "the signed-in user",
    "/api/v1/online-share/": "one figure per hospital and month, computed in one query",
    "/api/v1/commitment-progress/rollup/": "roll-ups, computed in one query",
    "/api/v1/settlement/balances/": "balances, one query over the ledger",
    "/api/v1/settlement/reconciliation/": "a report, one query per section",
    "/api/v1/settlement/retained-savings/": "a report, one query",
    "/api/v1/payment-standards/review/": "a year's drafts read whole for review, one query with the diff",
    "/api/v1/listing-applications/price-basis/": "one product's price basis (needs ?product=), not a list",
    "/api/v1/negotiated-monitoring/": "a report: two statements whatever the number of drugs (tests/pharmacies)",
    "/api/v1/price-alerts/export/": "a file (xlsx or csv) of the filtered cases, not a page (tests/pricing/test_export.py)",
}
# Lists that the demo province does not fill with 2 rows for any role, with the reason.
THIN = {
    "/api/v1/price-scans/": "a few scan runs in the demo",
    "/api/v1/settlement/overdue/": "one overdue statement in the demo",
    "/api/v1/objections/": "no objections in the test demo (its notice period is 0 days); select_related reads them",
    "/api/v1/auth/tokens/": "the user's own tokens, no related rows read (a user keeps at most 20 sign-in tokens)",
    "/api/v1/traceability/flags/": "two planted flags in the demo; the list selects the code, product and hospital",
    "/api/v1/traceability/stock/": "one aggregate statement per product (traceability.sql), no query per row",
    "/api/v1/contracts/keys/": "a user's own signing keys: one or two per user in the demo",
    "/api/v1/qualifications/expiring/": "one licence within its warning window in the demo",
}


def list_routes():
    return [
        path
        for path, route in ROUTES.items()
        if path.startswith("/api/v1/") and route.method == "GET" and "/1/" not in path and path not in NOT_PAGED
    ]


def count(client, path: str, size: int) -> tuple[int, int, int]:
    """(queries, rows on the page, status) for one page of ``size`` rows."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, {"page_size": size})
    rows = 0
    if response.status_code == 200:
        data = response.json()
        rows = len(data["results"]) if isinstance(data, dict) and "results" in data else len(data)
    return len(queries), rows, response.status_code


@pytest.mark.django_db
@pytest.mark.slow
def test_no_list_endpoint_costs_a_query_per_row(demo_province):
    """Per endpoint and role, the large page first (it also warms the caches: content types, the session), then the
    small one. A first request costs at least what the same request costs warm, and a page of more rows never costs
    fewer queries than one of fewer (both have rows: the same prefetches run): so when the first large page costs no
    more than the warm small one, the warm large page costs the same as the small one, and the large page is asked
    again, warm, only when the two differ."""
    users = {role: User.objects.get(username=name) for role, name in ROLE_USERS.items()}
    clients = {}
    failures, proved = [], set()
    for path in list_routes():
        route = ROUTES[path]
        for role, user in users.items():
            if not allowed(route, role):
                continue
            if role not in clients:  # one sign-in per role
                clients[role] = Client()
                clients[role].force_login(user)
            client = clients[role]
            large, large_rows, _ = count(client, path, LARGE)
            small, small_rows, status = count(client, path, SMALL)
            assert status == 200, f"{role} {path}: {status}"
            if large_rows <= small_rows:
                continue  # too few rows for this role to tell
            proved.add(path)
            if large != small:
                large, large_rows, _ = count(client, path, LARGE)  # warm, as the small one was
            if large != small:
                failures.append(f"{role} {path}: {small} queries for {small_rows} rows, {large} for {large_rows}")
    assert not failures, "queries grow with the rows on the page:\n" + "\n".join(failures)
    unproved = sorted(set(list_routes()) - proved - set(THIN))
    assert not unproved, f"lists the demo leaves too thin to check (add rows to seed_demo or to THIN): {unproved}"
    stale = sorted(set(THIN) & proved)
    assert not stale, f"THIN names lists that are checked now: {stale}"


def test_the_exceptions_name_real_endpoints():
    for path in [*NOT_PAGED, *THIN]:
        assert path in ROUTES, path
