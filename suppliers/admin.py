"""Back office for suppliers and their after-sales specialists: search, filter, (de)activate."""

from django.contrib import admin

from afterservice_site.admin_actions import MasterDataAdmin
from afterservice_site.people import display_name
from suppliers.models import Supplier


@admin.register(Supplier)
class SupplierAdmin(MasterDataAdmin):
    list_display = ["name", "role", "specialist_name", "is_logistic", "active", "updated_at"]
    list_filter = ["role", "is_logistic", "active"]
    list_select_related = ["specialist"]
    search_fields = ["name", "role", "specialist__username", "specialist__first_name", "specialist__last_name"]
    # A dropdown of every user does not scale; UserAdmin's search_fields back the autocomplete.
    autocomplete_fields = ["specialist"]
    fields = ["name", "role", "is_logistic", "specialist", "active", "created_at", "updated_at"]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The order admin's autocomplete offers only suppliers a claim can name (active ones).
        if request.GET.get("app_label") == "orders":
            queryset = queryset.filter(active=True)
        return queryset, may_have_duplicates

    @admin.display(description=Supplier._meta.get_field("specialist").verbose_name, ordering="specialist__username")
    def specialist_name(self, obj: Supplier) -> str:
        # The name people know the specialist by, as on the API (full name, else username).
        return display_name(obj.specialist)
