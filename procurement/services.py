"""集中采购与订单: services (filled in as the capability grows)."""
