"""The statement behind an alert's price chart."""

from __future__ import annotations

from psycopg import sql

from ..models import PriceObservation
from . import month_of, priced_sources, table, weighted_price


def monthly_prices() -> sql.Composed:
    """A product's months from `start` to `end` (parameters `product`, `start`, `end`, `hospital`): per month `m`
    the median `med` over the hospitals of each one's quantity-weighted mean price, the number of those hospitals
    `n`, and `own`, the weighted mean price of the hospital `hospital` (NULL when it bought nothing that month)."""

    return sql.SQL("""WITH base AS (
    SELECT hospital_id, {month} AS m, unit_price, quantity FROM {obs} o
    WHERE product_id = %(product)s AND observed_on >= %(start)s AND observed_on <= %(end)s
      AND hospital_id IS NOT NULL AND {priced}),
hp AS (SELECT hospital_id, m, {price} AS price FROM base b GROUP BY hospital_id, m),
pm AS (SELECT m, percentile_cont(0.5) WITHIN GROUP (ORDER BY price) AS med, count(*) AS n FROM hp GROUP BY m)
SELECT pm.m, pm.med, pm.n, (SELECT price FROM hp WHERE hp.m = pm.m AND hp.hospital_id = %(hospital)s) AS own
FROM pm ORDER BY pm.m""").format(
        month=month_of(sql.SQL("observed_on")),
        obs=table(PriceObservation),
        priced=priced_sources("o"),
        price=weighted_price("b"),
    )
