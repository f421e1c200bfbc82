"""价格监测与信用: services (filled in as the capability grows)."""
