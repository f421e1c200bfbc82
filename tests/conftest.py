import os
from pathlib import Path

import pytest
from _pytest.nodeid import NodeId
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import translation
from pytest_django.plugin import blocking_manager_key
from rest_framework.test import APIClient

from config.database.embedded import EmbeddedServer
from tests.factories import (
    AgencyFactory,
    DistributorFactory,
    HospitalFactory,
    ManufacturerFactory,
    UserFactory,
)

# The newcomer's path in CI (`make test PYTEST_ARGS="-m embedded"` on the embedded server, .ci/run): the migrations,
# the demo data, each set-based SQL module's tests and one browser journey per portal. Marked here by file, so that
# the list is in one place; a file named here that no longer exists fails that run instead of shrinking it.
EMBEDDED_SUBSET = (
    "tests/test_database.py",
    "tests/test_seed_demo.py",
    "tests/procurement/test_progress_runs.py",
    "tests/procurement/test_progress_figures.py",
    "tests/procurement/test_online_share.py",
    "tests/procurement/test_tender_services.py",
    "tests/settlement/test_generation.py",
    "tests/pricing/test_detectors.py",
    "tests/catalog/test_import_writers.py",
    "tests/browser/test_journey_purchaser.py",
    "tests/browser/test_journey_manufacturer.py",
    "tests/browser/test_journey_official.py",
    "tests/browser/test_journey_fund.py",
)
ROOT = Path(__file__).resolve().parent.parent
# Fixtures that modules of several folders use (a tender, a price world, a real Celery worker).
pytest_plugins = [
    "tests.fixtures.tenders",
    "tests.fixtures.consumables",
    "tests.fixtures.prices",
    "tests.fixtures.workers",
]


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.relative_to(ROOT).as_posix() in EMBEDDED_SUBSET:
            item.add_marker(pytest.mark.embedded)
        if item.get_closest_marker("worker"):
            # One Redis queue serves every real worker: tests that start one run on the same xdist worker
            # (--dist loadgroup), one after another, so that no worker takes another test's task.
            join_xdist_group(config, item, "celery-worker")
        elif uses_a_module_fixture(item):
            # Built once per module and test process (the demo province, seed_demo's two runs): the module's tests
            # go to one process, which builds it once. Groups are handed out first, largest first.
            join_xdist_group(config, item, item.module.__name__)
    gone = [path for path in EMBEDDED_SUBSET if not (ROOT / path).exists()]
    if gone and "embedded" in (config.getoption("markexpr") or ""):
        raise pytest.UsageError(f"tests/conftest.py EMBEDDED_SUBSET names files that do not exist: {gone}")


def join_xdist_group(config, item, group: str) -> None:
    """Mark the test for `--dist loadgroup`, which deals a group's tests to one process. xdist finds a test's group in
    a suffix of its id (`…@group`), which xdist 3.8 writes where pytest 9.2's structured ids no longer read it
    (pytest-xdist#1386): there, every test was dealt on its own. On an xdist process the suffix is written here too."""
    item.add_marker(pytest.mark.xdist_group(group))
    if getattr(config.option, "loadgroup", False) and isinstance(getattr(item, "_id", None), NodeId):
        item._id = NodeId.parse(f"{item.nodeid}@{group}")


def uses_a_module_fixture(item) -> bool:
    definitions = item._fixtureinfo.name2fixturedefs
    return any(definitions[name][-1].scope == "module" for name in item.fixturenames if definitions.get(name))


def pytest_sessionstart(session):
    """The embedded server (DATABASE_URL unset): note whether it was running before the suite. `--create-db`: the
    template test databases are migrated anew (tests/backend/base.py)."""
    controller = not hasattr(session.config, "workerinput")  # the main process, not an xdist worker
    data_dir = django_settings.DATABASES["default"].get("EMBEDDED_DATA_DIR")
    if data_dir and controller:
        session.config.embedded_server = EmbeddedServer(Path(data_dir))
        session.config.embedded_was_running = session.config.embedded_server.is_running()
        # Started here, once, before the test processes connect (each would otherwise find it down at once).
        session.config.embedded_server.ensure_running()
    if session.config.getvalue("create_db") and controller:
        with session.config.stash[blocking_manager_key].unblock():
            connection.creation.drop_all_templates()


@pytest.hookimpl(trylast=True)  # after the test databases are dropped, which needs the server
def pytest_sessionfinish(session):
    """Leave the machine as the suite found it: stop the embedded server when the suite started it."""
    server = getattr(session.config, "embedded_server", None)
    if server is not None and not session.config.embedded_was_running:
        server.stop()


@pytest.fixture(autouse=True)
def platform_language():
    """Each test starts in the platform's language: a request in English (the test client runs it in this thread,
    where the locale middleware activates the reader's language) must not leave English to the tests after it."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def demo_database(django_db_setup, django_db_blocker):
    """The name of this process's database with the demo province, cloned once from the demo seeded once per run
    (tests/backend/base.py) and dropped at the end."""
    with django_db_blocker.unblock():
        name = connection.creation.create_demo_clone()
    yield name
    with django_db_blocker.unblock():
        connection.creation.drop_database(name)


@pytest.fixture(scope="module")
def demo_province(request, demo_database, django_db_blocker):
    """The demo province (`seed_demo`) for the tests of a module: the connection works on this process's demo database
    in a transaction left open over the module's tests and rolled back after the last; each test runs in a savepoint
    of its own (as every test marked django_db does), so what a test changes is undone before the next. Being
    module-scoped, it stays until the module's last test: a database test of the module collected after the first
    user of the fixture must use it too (or it would find the demo by chance of the order)."""
    items = [item for item in request.session.items if item.module is request.module]
    users = [index for index, item in enumerate(items) if "demo_province" in item.fixturenames]
    strays = [item.name for item in items[users[0] :] if "demo_province" not in item.fixturenames and uses_db(item)]
    if strays:
        raise pytest.UsageError(f"{request.module.__name__}: move {strays} before the tests on the demo province")
    with django_db_blocker.unblock():
        test_database = connection.settings_dict["NAME"]
        connection.creation.switch_to(demo_database)
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            connection.creation.switch_to(test_database)


def uses_db(item) -> bool:
    return bool(item.get_closest_marker("django_db")) or bool({"db", "transactional_db"} & set(item.fixturenames))


def require_service(name: str, available: bool) -> None:
    """Skip when a real service is absent — or fail, in CI, where REQUIRE_SERVICES=1 says it must be there."""
    if available:
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} is required in this run (REQUIRE_SERVICES=1) but is not configured")
    pytest.skip(f"needs {name}")


@pytest.fixture
def requires_redis():
    require_service("Redis (REDIS_URL)", bool(os.environ.get("REDIS_URL")))


@pytest.fixture
def hospital(db):
    return HospitalFactory(name="测试甲医院")


@pytest.fixture
def other_hospital(db):
    return HospitalFactory(name="测试乙医院")


@pytest.fixture
def manufacturer(db):
    return ManufacturerFactory(name="测试甲制药有限公司")


@pytest.fixture
def distributor(db):
    return DistributorFactory(name="测试甲配送有限公司")


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def purchaser(hospital):
    return UserFactory(username="purchaser", organization=hospital, roles=["purchaser"])


@pytest.fixture
def other_purchaser(other_hospital):
    return UserFactory(username="other_purchaser", organization=other_hospital, roles=["purchaser"])


@pytest.fixture
def manufacturer_rep(manufacturer):
    return UserFactory(username="mfr_rep", organization=manufacturer, roles=["manufacturer_rep"])


@pytest.fixture
def distributor_rep(distributor):
    return UserFactory(username="dist_rep", organization=distributor, roles=["distributor_rep"])


@pytest.fixture
def official(agency):
    return UserFactory(username="official", organization=agency, roles=["pricing_official"])


@pytest.fixture
def fund_officer(agency):
    return UserFactory(username="fund_officer", organization=agency, roles=["fund_officer"])


@pytest.fixture
def platform_admin(agency):
    return UserFactory(username="platform_admin", organization=agency, roles=["platform_admin"], is_staff=True)


@pytest.fixture
def api():
    return APIClient()
