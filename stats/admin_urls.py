"""The dashboard's routes under /admin/stats/, behind the admin's login (staff only)."""

from django.contrib import admin
from django.urls import path

from stats import dashboard

urlpatterns = [
    path("", admin.site.admin_view(dashboard.dashboard_view), name="stats-dashboard"),
    path("export/", admin.site.admin_view(dashboard.export_view), name="stats-dashboard-export"),
]
