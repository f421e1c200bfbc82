"""The organisation list: sortable columns and the xlsx export, scoped to what the user may see."""

import pytest
from django.test import Client

from tests.utils import xlsx_rows


@pytest.mark.django_db
def test_organization_list_sorts_and_exports_only_what_the_user_may_see(
    official, purchaser, hospital, other_hospital, manufacturer
):
    client = Client()
    client.force_login(official)
    html = client.get("/accounts/organizations/?kind=hospital&sort=-name").content.decode()
    assert html.index(hospital.name) < html.index(other_hospital.name) and 'aria-sort="descending"' in html
    html = client.get("/accounts/organizations/?kind=hospital&sort=name").content.decode()
    assert html.index(other_hospital.name) < html.index(hospital.name)  # 乙 sorts before 甲 by code point
    rows = xlsx_rows(client.get("/accounts/organizations/?kind=hospital&sort=name&format=xlsx"))
    assert rows[0][0] == "机构名称" and [r[0] for r in rows[1:]] == [other_hospital.name, hospital.name]
    client.force_login(purchaser)
    rows = xlsx_rows(client.get("/accounts/organizations/?format=xlsx"))
    assert [r[0] for r in rows[1:]] == [hospital.name]  # another organisation's rows never appear
