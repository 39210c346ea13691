from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView

from afterservice_site.query import KnownQueryParametersMixin
from products import selectors
from products.serializers import ProductFilterSerializer, ProductSerializer


@extend_schema(parameters=[ProductFilterSerializer], tags=["master data"])
class ProductListView(KnownQueryParametersMixin, ListAPIView):
    """`GET all-products`: the catalogue, searchable by SKU or name."""

    known_query_parameters = frozenset({"key_word"})
    serializer_class = ProductSerializer
    filter_backends: list = []

    def get_queryset(self):
        params = ProductFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return selectors.product_list(key_word=params.validated_data.get("key_word", ""))
