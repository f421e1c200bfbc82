"""The shortage watch's statement over the price observations (its other signals are ORM queries)."""

from __future__ import annotations

from psycopg import sql

from catalog.models import Product
from procurement.models import Listing

from ..models import PriceObservation
from . import month_of, table


def quiet_hospitals() -> sql.Composed:
    """Hospitals that usually buy a product on the platform and have stopped: platform receipts in at least `usual`
    distinct months between `history_from` and `quiet_from`, none since `quiet_from`; only products on the shortage
    list (`shortage`, true) or listed on the platform. Each row: product, hospital, the usual `months`, and whether
    the product is on the shortage list."""

    month = month_of(sql.SQL("o.observed_on"))
    return sql.SQL("""WITH usual AS (
    SELECT o.product_id, o.hospital_id, COUNT(DISTINCT {month}) AS months FROM {obs} o
    WHERE o.source = 'platform_receipt' AND o.hospital_id IS NOT NULL
      AND o.observed_on >= %(history_from)s AND o.observed_on < %(quiet_from)s
    GROUP BY o.product_id, o.hospital_id HAVING COUNT(DISTINCT {month}) >= %(usual)s),
recent AS (SELECT DISTINCT product_id, hospital_id FROM {obs}
           WHERE source = 'platform_receipt' AND observed_on >= %(quiet_from)s AND hospital_id IS NOT NULL)
SELECT u.product_id, u.hospital_id, u.months, p.shortage
FROM usual u JOIN {product} p ON p.id = u.product_id
LEFT JOIN recent r ON r.product_id = u.product_id AND r.hospital_id = u.hospital_id
WHERE r.product_id IS NULL
  AND (p.shortage = %(shortage)s OR EXISTS (SELECT 1 FROM {listing} l WHERE l.product_id = u.product_id
                                            AND l.status = 'active'))""").format(
        month=month, obs=table(PriceObservation), product=table(Product), listing=table(Listing)
    )
