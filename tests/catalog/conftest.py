"""The catalog world of the bad-input and hostile-input suites."""

import pytest

from tests.catalog.test_bad_input import HELD_CODE, OTHER_MAKER
from tests.catalog.test_import_platform import HOSPITAL
from tests.catalog.test_search import make
from tests.factories import HospitalFactory, ManufacturerFactory


@pytest.fixture
def catalog(db, settings, tmp_path):
    """A hospital for the preparations and one product holding HELD_CODE; the files' makers are not known yet."""
    settings.MEDIA_ROOT = tmp_path / "media"
    HospitalFactory(name=HOSPITAL, hospital_type="mongolian")
    make("地喹氯铵含片", HELD_CODE, maker=ManufacturerFactory(name=OTHER_MAKER))
