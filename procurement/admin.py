"""集中采购与订单: admin (filled in as the capability grows)."""
