"""Routes under /api/v1/afterservice/ (no trailing slash, like the customer's paths; `/?` accepts both)."""

from django.urls import re_path

from stats import views

urlpatterns = [
    re_path(r"^stats/orders/?$", views.OrderStatsView.as_view(), name="stats-orders"),
    re_path(r"^stats/cycle-times/?$", views.CycleTimesView.as_view(), name="stats-cycle-times"),
]
