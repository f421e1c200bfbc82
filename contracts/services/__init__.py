"""Writes of purchase contracts, one module per use case: generation (set-based, per tender), parties (the
distributor's choice, annual contracts), confirmations (signed), amendments (new versions), keys (public keys)."""
