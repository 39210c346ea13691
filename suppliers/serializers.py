from rest_framework import serializers

from afterservice_site.people import display_name
from suppliers.models import Supplier


class SupplierMatcherSerializer(serializers.ModelSerializer):
    supplier_id = serializers.IntegerField(source="id")
    supplier_name = serializers.CharField(source="name")
    afterservice_salername = serializers.SerializerMethodField()
    saler_id = serializers.IntegerField(source="specialist_id", allow_null=True)

    class Meta:
        model = Supplier
        fields = ["supplier_id", "supplier_name", "role", "afterservice_salername", "saler_id"]
        read_only_fields = fields

    def get_afterservice_salername(self, supplier: Supplier) -> str:
        return display_name(supplier.specialist)


class SupplierFilterSerializer(serializers.Serializer):
    key_word = serializers.CharField(required=False, allow_blank=True, max_length=100)
    role = serializers.CharField(required=False, allow_blank=True, max_length=50)
