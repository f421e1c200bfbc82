"""医保直接结算: services (filled in as the capability grows)."""
