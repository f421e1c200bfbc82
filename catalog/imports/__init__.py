"""Catalog imports and exports: file layouts in ``catalog.layouts``; reading, checking and writing here."""
