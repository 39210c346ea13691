from rest_framework import serializers

from products.models import Product


class ProductSerializer(serializers.ModelSerializer):
    skuCode = serializers.CharField(source="sku_code")  # noqa: N815 - the customer's field name

    class Meta:
        model = Product
        fields = ["id", "skuCode", "item_name", "item_code", "sku_name", "img_path"]
        read_only_fields = fields


class ProductFilterSerializer(serializers.Serializer):
    key_word = serializers.CharField(required=False, allow_blank=True, max_length=100)
