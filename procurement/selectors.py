"""集中采购与订单: selectors (filled in as the capability grows)."""
