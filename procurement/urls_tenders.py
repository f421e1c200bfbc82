"""Tender pages for the official, manufacturer and hospital portals."""

app_name = "tenders"

urlpatterns: list = []
