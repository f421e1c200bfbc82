"""医保直接结算: admin (filled in as the capability grows)."""
