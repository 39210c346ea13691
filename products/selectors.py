"""Read queries of the product catalogue."""

from django.db.models import Q, QuerySet

from products.models import Product


def product_list(*, key_word: str = "") -> QuerySet[Product]:
    """Active products, by SKU; `key_word` matches the SKU code or any of the names."""
    qs = Product.objects.filter(active=True).only("id", "sku_code", "item_name", "item_code", "sku_name", "img_path")
    if key_word:
        qs = qs.filter(
            Q(sku_code__icontains=key_word) | Q(item_name__icontains=key_word) | Q(sku_name__icontains=key_word)
        )
    return qs.order_by("sku_code", "id")


def product_by_sku(sku_codes: set[str]) -> dict[str, Product]:
    """Active products keyed by SKU code, for validating order lines in one query."""
    return {p.sku_code: p for p in Product.objects.filter(sku_code__in=sku_codes, active=True)}
