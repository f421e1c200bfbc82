"""Procurement's pages, one module per area: tenders, orders (online ordering), progress."""
