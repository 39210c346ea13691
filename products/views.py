from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView

from products import selectors
from products.serializers import ProductFilterSerializer, ProductSerializer


@extend_schema(parameters=[ProductFilterSerializer], tags=["master data"])
class ProductListView(ListAPIView):
    """`GET all-products`: the catalogue, searchable by SKU or name."""

    serializer_class = ProductSerializer
    filter_backends: list = []

    def get_queryset(self):
        params = ProductFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return selectors.product_list(key_word=params.validated_data.get("key_word", ""))
