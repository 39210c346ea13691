"""Top-level routes: the API, its schema and docs, the admin and the health check."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from afterservice_site import errors
from afterservice_site.health import healthz
from products.views import ProductListView
from suppliers.views import SupplierMatcherView

api_v1 = [
    re_path(r"^all-products/?$", ProductListView.as_view(), name="all-products"),
    re_path(r"^supplier_user_matcher/?$", SupplierMatcherView.as_view(), name="supplier-user-matcher"),
    path("", include("orders.urls")),
    path("", include("notifications.urls")),
    path("", include("stats.urls")),
]

urlpatterns = [
    path("api/v1/afterservice/", include(api_v1)),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # Anything else under /api/ answers the 404 envelope (also with DEBUG on).
    re_path(r"^api/", errors.api_not_found),
    path("healthz", healthz, name="healthz"),
    path("admin/stats/", include("stats.admin_urls")),  # before the admin's catch-all
    path("admin/", admin.site.urls),
]

handler400 = errors.handler400
handler404 = errors.handler404
handler500 = errors.handler500
