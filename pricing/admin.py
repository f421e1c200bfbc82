"""价格监测与信用: admin (filled in as the capability grows)."""
