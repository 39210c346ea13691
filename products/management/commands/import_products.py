"""`manage.py import_products CSV`: upsert the product catalogue by sku_code (all or nothing)."""

from typing import Any

from afterservice_site.csv_import import CsvImportCommand, Row
from products.models import Product


class Command(CsvImportCommand):
    help = (
        "Import products from a UTF-8 CSV with header sku_code,item_name,item_code,sku_name,img_path, "
        "upserting by sku_code. Any bad row: each is reported with its line number and nothing is imported."
    )
    model = Product
    key = "sku_code"
    columns = ("sku_code", "item_name", "item_code", "sku_name", "img_path")
    label = "products"

    def clean_row(self, row: Row) -> dict[str, Any]:
        """sku_code and item_name are required; every column is bounded by its model field."""
        return {
            "sku_code": row.text("sku_code", required=True),
            "item_name": row.text("item_name", required=True),
            "item_code": row.text("item_code"),
            "sku_name": row.text("sku_name"),
            "img_path": row.text("img_path"),
        }
