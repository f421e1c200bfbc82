"""Procurement's REST endpoints under /api/v1/: one module per area (tenders, progress; for online ordering listings,
orders, deliveries with receipts and returns, and the online share with off-platform purchases), gathered here for
config/urls.py (`routes` for the router, `urlpatterns` for plain views)."""

from django.urls import path

from . import applications, consumables, deliveries, listings, online_share, orders, progress, tenders

routes = [
    *tenders.routes,
    *consumables.routes,
    *listings.routes,
    *applications.routes,
    *orders.routes,
    *deliveries.routes,
    *online_share.routes,
    *progress.routes,
]
urlpatterns: list = [path("online-share/", online_share.OnlineShareView.as_view(), name="online-share")]
