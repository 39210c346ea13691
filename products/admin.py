"""Back office for the product catalogue: search (also for order-line autocomplete), filter, (de)activate."""

from django.contrib import admin

from afterservice_site.admin_actions import MasterDataAdmin
from products.models import Product


@admin.register(Product)
class ProductAdmin(MasterDataAdmin):
    list_display = ["sku_code", "item_name", "item_code", "sku_name", "active", "updated_at"]
    list_display_links = ["sku_code", "item_name"]
    list_filter = ["active"]
    # Also what the order admin's product autocomplete searches.
    search_fields = ["sku_code", "item_name", "item_code"]
    fields = ["sku_code", "item_name", "item_code", "sku_name", "img_path", "active", "created_at", "updated_at"]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The order admin's autocomplete offers only products that can still go on a claim.
        if request.GET.get("app_label") == "orders":
            queryset = queryset.filter(active=True)
        return queryset, may_have_duplicates
