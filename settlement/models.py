"""医保直接结算: models (filled in as the capability grows)."""
