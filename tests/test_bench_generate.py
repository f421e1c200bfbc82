"""The province generated step by step (``python -m bench.generate --step``) holds the rows a one-shot generation
holds: the year's receipts cut into chunks of orders, the price observations into chunks of products, each chunk a
step of its own run in order and recorded as done; a step done is skipped, a step out of order refused."""

import pytest

from bench import commitment_progress, generate, price_scan
from bench.common import pg_connect
from tests.factories import ensure_reference_data

SCALE = 0.0001  # the smallest year: 1,000 orders (10,000 receipt lines), 50,000 observations

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


@pytest.fixture
def regions():
    """The regions the generation places hospitals in; what it wrote is emptied by TRUNCATE after (the flush of a
    transactional test deletes row by row)."""
    ensure_reference_data()
    yield
    generate.drop_receipts()
    price_scan.cleanup(None, [])


@pytest.mark.usefixtures("regions")
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_receipts_in_chunks_are_the_rows_of_one_chunk(monkeypatch):
    monkeypatch.setattr(commitment_progress, "CHUNK_ORDERS", 300)
    names = generate.steps("receipts", SCALE)
    assert [n for n in names if n.startswith("flows-")] == ["flows-01", "flows-02", "flows-03", "flows-04"]
    assert generate.run_step("receipts", SCALE, "setup")["info"]["commitments"] == 100_000
    with pytest.raises(SystemExit, match="comes after flows-01"):
        generate.run_step("receipts", SCALE, "flows-02")
    for name in generate.pending("receipts", SCALE):
        record = generate.run_step("receipts", SCALE, name)
        assert record["database_bytes"] > 0 and record["peak_rss_mb"] > 0
    assert generate.pending("receipts", SCALE) == []
    assert generate.done("receipts", SCALE)["flows-04"]["info"] == {"lines": 1_000, "orders": [901, 1000]}
    stepwise = _flows()
    assert stepwise["procurement_receiptline"][0] == 10_000 and stepwise["procurement_goodsreturnline"][0] == 100

    # the same year in one chunk, on the same set-up
    with pg_connect() as conn:
        conn.execute(f"TRUNCATE {', '.join(FLOWS)} CASCADE")
        conn.commit()
    from django.db import transaction

    with transaction.atomic():
        commitment_progress.generate_flows(0, commitment_progress.orders_at(SCALE))
    commitment_progress.generate_finish(SCALE)
    assert _flows() == stepwise


@pytest.mark.usefixtures("regions")
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_observations_in_chunks_are_a_one_shot_worlds(monkeypatch, tmp_path):
    monkeypatch.setattr(generate, "RESULTS", tmp_path)  # planted_anomalies.json, not the repository's
    # one shot: the world created and its whole year written from memory
    price_scan.cleanup(None, [])
    world = generate.price_world(SCALE, create=True)
    written = price_scan.write_observations(world)
    one_shot, truth = _observations(), _by_place(world, price_scan.truth(world))
    assert written == one_shot[0] == 49_920

    # step by step: a new world, its year in chunks of products, each step reading the world back
    monkeypatch.setattr(generate, "CHUNK_OBSERVATIONS", 10_000)
    names = generate.steps("prices", SCALE)
    assert names == ["world", *(f"observations-{i:02d}" for i in range(1, 6)), "finish"]
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
