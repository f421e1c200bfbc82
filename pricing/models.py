"""价格监测与信用: models (filled in as the capability grows)."""
