"""Routes under /api/v1/afterservice/, with and without a trailing slash (like orders/urls.py)."""

from django.urls import re_path

from notifications import views

urlpatterns = [
    re_path(r"^notifications/?$", views.NotificationListView.as_view(), name="notification-list"),
    re_path(r"^notifications/read/?$", views.NotificationReadView.as_view(), name="notification-read"),
]
