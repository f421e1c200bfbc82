"""价格监测与信用: selectors (filled in as the capability grows)."""
