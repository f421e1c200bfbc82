"""药械目录: services (filled in as the capability grows)."""
