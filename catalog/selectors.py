"""药械目录: selectors (filled in as the capability grows)."""
