"""药械目录: admin (filled in as the capability grows)."""
