"""药械目录: models (filled in as the capability grows)."""
