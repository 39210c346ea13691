"""Read queries of suppliers and their specialists."""

from django.db.models import Q, QuerySet

from suppliers.models import Supplier


def supplier_matcher_list(*, key_word: str = "", role: str = "") -> QuerySet[Supplier]:
    """Active suppliers with their specialist; `key_word` matches supplier or specialist names."""
    qs = Supplier.objects.filter(active=True).select_related("specialist")
    if key_word:
        qs = qs.filter(
            Q(name__icontains=key_word)
            | Q(specialist__username__icontains=key_word)
            | Q(specialist__first_name__icontains=key_word)
            | Q(specialist__last_name__icontains=key_word)
        )
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("name", "id")


def active_suppliers_by_name(names: set[str]) -> dict[str, Supplier]:
    """Active suppliers keyed by exact name, with their specialist, in one query."""
    return {s.name: s for s in Supplier.objects.filter(name__in=names, active=True).select_related("specialist")}
