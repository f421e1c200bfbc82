"""The province generated step by step (``python -m bench.generate --step``) holds the rows a one-shot generation
holds: the year's receipts cut into chunks of orders, the price observations into chunks of products, each chunk a
step of its own run in order and recorded as done; a step done is skipped, a step out of order refused.

On a province shrunk to a few hundred orders and ten products (the generator's sizes are module constants read at call
time), in the test's transaction: the generation's own connections (``pg_connect``, which commits) are Django's,
whose commits are left to the test's rollback, so nothing is left to empty after."""

from contextlib import contextmanager

import pytest
from django.db import connection
from psycopg.types.json import JsonbLoader

from bench import commitment_progress, common, generate, price_scan
from tests.factories import ensure_reference_data

SCALE = 0.0001  # the smallest year, at the shrunk sizes below: 200 orders (2,000 receipt lines), 4,800 observations

FLOWS = {
    "procurement_purchaseorder": "id",
    "procurement_purchaseorderline": "id",
    "procurement_delivery": "id",
    "procurement_deliveryline": "id",
    "procurement_receipt": "id",
    "procurement_receiptline": "id",
    "procurement_goodsreturn": "id",
    "procurement_goodsreturnline": "id",
}


class _InTheTest:
    """Django's psycopg connection as ``pg_connect`` gives one: neither ``with`` nor ``commit()`` commits or closes
    it (the test's transaction holds every write); a commit's checks of the deferred foreign keys are run, which also
    lets a later TRUNCATE of those rows go ahead."""

    def __init__(self, raw):
        self.raw = raw

    def __enter__(self):
        return self

    def __exit__(self, kind, *exc) -> None:
        if kind is None:
            self.commit()

    def execute(self, *args, **kwargs):
        return self.cursor().execute(*args, **kwargs)

    def cursor(self):
        cursor = self.raw.cursor()
        cursor.adapters.register_loader("jsonb", JsonbLoader)  # Django's connection leaves JSON to its fields
        return cursor

    def commit(self) -> None:
        connection.check_constraints()


@contextmanager
def pg_connect(autocommit: bool = False):
    connection.ensure_connection()
    yield _InTheTest(connection.connection)


@pytest.fixture
def province(monkeypatch):
    """A small province, generated in the test's transaction, whose foreign keys are not checked (the generation's
    bulk rows are right by construction, and skip the checks themselves; the rest is the platform's models). VACUUM
    cannot run in a transaction: the vacuum steps record the tables they would vacuum, in order."""
    ensure_reference_data()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")
    for module in (common, generate, price_scan):
        monkeypatch.setattr(module, "pg_connect", pg_connect)
    monkeypatch.setattr(commitment_progress, "HOSPITALS", 50)
    monkeypatch.setattr(commitment_progress, "LOTS", 50)
    monkeypatch.setattr(commitment_progress, "MAKERS", 10)
    monkeypatch.setattr(commitment_progress, "MIN_ORDERS", 200)
    monkeypatch.setattr(generate, "MIN_OBSERVATIONS", 4_800)
    monkeypatch.setattr(price_scan, "BUYERS_PER_PRODUCT", 20)
    monkeypatch.setattr(price_scan, "MIN_HOSPITALS", 30)
    vacuumed = []
    monkeypatch.setattr(commitment_progress, "vacuum", vacuumed.append)
    return vacuumed


def _flows() -> dict[str, tuple[int, str]]:
    """Every flow table's rows, every column (timestamps of the generation aside), as a count and a fingerprint."""
    out = {}
    with pg_connect() as conn:
        for table, key in FLOWS.items():
            out[table] = conn.execute(
                f"SELECT count(*), md5(string_agg((to_jsonb(t) - 'created_at' - 'updated_at')::text, '|' "
                f"ORDER BY {key})) FROM {table} t"
            ).fetchone()
    return out


def _observations() -> tuple[int, str]:
    """The world's observations with products and hospitals by their place in the world (ids differ between two
    worlds), every figure."""
    with pg_connect() as conn:
        return conn.execute(
            """
            WITH p AS (SELECT id, row_number() OVER (ORDER BY id) AS r FROM catalog_product WHERE remarks = %(mark)s),
                 h AS (SELECT id, row_number() OVER (ORDER BY id) AS r FROM accounts_organization
                       WHERE name LIKE %(hospitals)s)
            SELECT count(*), md5(string_agg(concat_ws(',', p.r, h.r, o.observed_on, o.unit_price, o.quantity, o.amount,
                   o.source, o.import_batch), '|' ORDER BY p.r, h.r, o.observed_on, o.unit_price))
            FROM pricing_priceobservation o JOIN p ON p.id = o.product_id JOIN h ON h.id = o.hospital_id""",
            {"mark": price_scan.MARK, "hospitals": f"{price_scan.MARK} 医院%"},
        ).fetchone()


def _by_place(world: dict, truth: dict[str, set]) -> dict[str, set]:
    product = {p.pk: i for i, p in enumerate(world["products"])}
    hospital = {h: i for i, h in enumerate(world["hospitals"])}

    def subject(s: str) -> str:
        return f"h:{hospital[int(s[2:])]}" if s.startswith("h:") else s

    return {d: {(product[p], subject(s), m) for p, s, m in keys} for d, keys in truth.items()}


@pytest.mark.django_db
def test_the_receipts_in_chunks_are_the_rows_of_one_chunk(province, monkeypatch):
    monkeypatch.setattr(commitment_progress, "CHUNK_ORDERS", 60)
    names = generate.steps("receipts", SCALE)
    assert [n for n in names if n.startswith("flows-")] == ["flows-01", "flows-02", "flows-03", "flows-04"]
    assert generate.run_step("receipts", SCALE, "setup")["info"]["commitments"] == 500
    with pytest.raises(SystemExit, match="comes after flows-01"):
        generate.run_step("receipts", SCALE, "flows-02")
    assert generate.pending("receipts", SCALE)[0] == "flows-01"  # the set-up done is not run again
    for name in generate.pending("receipts", SCALE):
        record = generate.run_step("receipts", SCALE, name)
        assert record["database_bytes"] > 0 and record["peak_rss_mb"] > 0
    assert generate.pending("receipts", SCALE) == []
    assert province == list(commitment_progress.VACUUMED)  # the vacuum steps, in order
    assert generate.done("receipts", SCALE)["flows-04"]["info"] == {"lines": 200, "orders": [181, 200]}
    stepwise = _flows()
    assert stepwise["procurement_receiptline"][0] == 2_000 and stepwise["procurement_goodsreturnline"][0] == 20
    with pytest.raises(SystemExit, match="no step 'flows-05'"):
        generate.run_step("receipts", SCALE, "flows-05")

    # the same year in one chunk, on the same set-up
    with pg_connect() as conn:
        for table in reversed(FLOWS):  # the rows of a few thousand: DELETE, cheaper than TRUNCATE's new files
            conn.execute(f"DELETE FROM {table}")
    commitment_progress.generate_flows(0, commitment_progress.orders_at(SCALE))
    commitment_progress.generate_finish(SCALE)
    assert _flows() == stepwise


@pytest.mark.django_db
def test_the_observations_in_chunks_are_a_one_shot_worlds(province, monkeypatch, tmp_path):
    monkeypatch.setattr(generate, "RESULTS", tmp_path)  # planted_anomalies.json, not the repository's
    # one shot: the world created and its whole year written from memory
    world = generate.price_world(SCALE, create=True)
    written = price_scan.write_observations(world)
    one_shot, truth = _observations(), _by_place(world, price_scan.truth(world))
    assert written == one_shot[0] == 4_800

    # step by step: a new world, its year in chunks of products, each step reading the world back
    monkeypatch.setattr(generate, "CHUNK_OBSERVATIONS", 2_000)
    names = generate.steps("prices", SCALE)
    assert names == ["world", *(f"observations-{i:02d}" for i in range(1, 4)), "finish"]
    for name in names:
        generate.run_step("prices", SCALE, name)
    assert generate.pending("prices", SCALE) == []
    assert _observations() == one_shot
    again = generate.price_world(SCALE)
    assert _by_place(again, price_scan.truth(again)) == truth
    with pg_connect() as conn:
        planted = conn.execute("SELECT count(*) FROM bench_planted_anomaly").fetchone()[0]
    assert planted == sum(len(keys) for keys in truth.values()) > 0
    assert (tmp_path / "planted_anomalies.json").exists()


def test_a_step_short_of_disk_is_refused(monkeypatch):
    monkeypatch.setattr(generate, "data_directory", lambda: "/srv/pg")
    monkeypatch.setattr(generate, "free_bytes", lambda: 10 * 1024**2)
    with pytest.raises(
        SystemExit, match=r"flows-01 at scale 5.0 needs about 2\.9 GiB of disk and /srv/pg has 0\.0 GiB"
    ):
        generate.check_disk("receipts", 5.0, "flows-01")
    monkeypatch.setattr(generate, "free_bytes", lambda: 3 * 1024**3)
    generate.check_disk("receipts", 5.0, "flows-01")


@pytest.mark.django_db
def test_the_scan_finds_what_the_truth_expects_above_a_payment_standard(province, monkeypatch):
    """A province-wide move on a product with a payment standard: every buyer then pays above the standard, which is
    informational (the patient pays the difference). It informs the cases the price units opened and opens none: the
    truth expects it at those hospitals only, and the scan agrees (precision and recall 1)."""
    from django.utils import timezone

    from pricing.services.scan import price_scan_run

    monkeypatch.setattr(generate, "MIN_OBSERVATIONS", 9_600)  # 20 products: the 11th is unpaired, with a standard
    world = generate.price_world(SCALE, create=True)
    plan, products = world["plan"], world["products"]
    moved = next(p.pk for i, p in enumerate(products) if i % 5 == 0 and i % 4 >= 2 and p.pk not in plan["high"])
    plan["province"] = {moved: 6}
    buyers = plan["buyers"][moved]
    plan["units"] = {k: v for k, v in plan["units"].items() if k[0] != moved}
    plan["units"][(moved, buyers[0], 2)] = 2.5  # a case for the first buyer, opened by its own price in March
    price_scan.write_observations(world)
    expected = price_scan.truth(world)["above_reference"]
    moved_keys = {(s, m) for p, s, m in expected if p == moved}
    assert moved_keys == {(f"h:{buyers[0]}", m) for m in [2, *range(6, 12)]}

    scan = price_scan_run(full=True, now=timezone.now())
    quality = {row[0]: row for row in price_scan.score(world, [scan.pk])}
    assert quality["above_reference"][3] == quality["above_reference"][1] == len(expected)  # true = planted
    assert quality["above_reference"][2] == len(expected)  # and nothing more
