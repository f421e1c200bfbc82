"""医保直接结算: selectors (filled in as the capability grows)."""
