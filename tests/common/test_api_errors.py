"""A value the database cannot hold is the caller's mistake: 400 with a message in the caller's language."""

import pytest
from django.db import DataError
from django.utils import translation

from common.api import exception_handler


@pytest.mark.parametrize("error", [DataError("integer out of range"), OverflowError("Python int too large")])
@pytest.mark.parametrize(
    "language, message", [("zh-hans", "参数超出允许范围"), ("en", "A parameter is out of the allowed range")]
)
def test_a_value_beyond_the_database_range_is_a_400_in_the_callers_language(error, language, message):
    with translation.override(language):
        response = exception_handler(error, {})
    assert response.status_code == 400
    assert response.data == {"detail": message}


@pytest.mark.django_db
def test_an_id_beyond_a_bigint_is_refused_naming_the_parameter():
    """The number parser (common.numbers) checks an id against its column before any query."""
    from tests.factories import UserFactory
    from tests.utils import api_as

    response = api_as(UserFactory(roles=["purchaser"])).get("/api/v1/products/?manufacturer_id=" + "9" * 25)
    assert response.status_code == 400 and response.json()["field"] == "manufacturer_id"
