"""The procurement app's hand-written, set-based SQL: one module per capability, each statement a function whose
docstring says what it computes (PostgreSQL ≥ 15)."""
