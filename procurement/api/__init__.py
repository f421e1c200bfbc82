"""Procurement's REST endpoints under /api/v1/: one module per area (tenders, orders, progress), gathered here for
config/urls.py (`routes` for the router, `urlpatterns` for plain views)."""

from django.urls import path

from . import orders, progress, tenders

routes = [*tenders.routes, *orders.routes, *progress.routes]
urlpatterns: list = [path("online-share/", orders.OnlineShareView.as_view(), name="online-share")]
