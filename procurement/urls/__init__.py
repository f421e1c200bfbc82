"""Procurement's page URLs, one module per area, each mounted by config/urls.py."""
