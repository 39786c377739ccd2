"""Periodic reports: the unit's reports, their generation and workflow, typed indicators, the download centre."""

from django.urls import path  # noqa: F401  (patterns are added by the views modules below as they land)

app_name = "reports"

urlpatterns: list = []
