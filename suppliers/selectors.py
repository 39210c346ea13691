"""Read queries of suppliers and their specialists."""

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat

from suppliers.models import Supplier


def supplier_matcher_list(*, key_word: str = "", role: str = "") -> QuerySet[Supplier]:
    """Active suppliers with their specialist; `key_word` matches supplier or specialist names."""
    qs = Supplier.objects.filter(active=True).select_related("specialist")
    if key_word:
        # The full name as shown on the wire ("first last", see people.display_name) matches too.
        qs = qs.alias(
            specialist_full_name=Concat("specialist__first_name", Value(" "), "specialist__last_name")
        ).filter(
            Q(name__icontains=key_word)
            | Q(specialist__username__icontains=key_word)
            | Q(specialist_full_name__icontains=key_word)
        )
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("name", "id")


def active_suppliers_by_name(names: set[str]) -> dict[str, Supplier]:
    """Active suppliers keyed by exact name, with their specialist, in one query."""
    return {s.name: s for s in Supplier.objects.filter(name__in=names, active=True).select_related("specialist")}
