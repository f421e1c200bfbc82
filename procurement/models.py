"""集中采购与订单: models (filled in as the capability grows)."""
