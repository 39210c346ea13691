from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView

from afterservice_site.query import KnownQueryParametersMixin
from suppliers import selectors
from suppliers.serializers import SupplierFilterSerializer, SupplierMatcherSerializer


@extend_schema(parameters=[SupplierFilterSerializer], tags=["master data"])
class SupplierMatcherView(KnownQueryParametersMixin, ListAPIView):
    """`GET supplier_user_matcher`: suppliers with their after-sales specialist."""

    known_query_parameters = frozenset({"key_word", "role"})
    serializer_class = SupplierMatcherSerializer
    filter_backends: list = []

    def get_queryset(self):
        params = SupplierFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return selectors.supplier_matcher_list(**params.validated_data)
