"""Procurement's reads, one module per area: tenders, orders (online ordering), progress."""
