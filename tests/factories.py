"""factory-boy factories for the domain objects used across the tests."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from notifications.models import Kind, Webhook, WebhookFormat
from orders import services
from products.models import Product
from suppliers.models import Supplier


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = ""
    is_active = True

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("sku_code",)

    sku_code = factory.Sequence(lambda n: f"SKU{n:05d}")
    item_name = factory.Sequence(lambda n: f"产品{n}")
    item_code = factory.Sequence(lambda n: f"IC{n:05d}")
    sku_name = factory.Sequence(lambda n: f"规格{n}")
    img_path = ""


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"供应商{n}")
    role = "成品商"
    is_logistic = False
    specialist = None


class WebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Webhook

    name = factory.Sequence(lambda n: f"群机器人{n}")
    url = "http://127.0.0.1:9/unused"  # the discard port: tests that send pass their own server's URL
    secret = "s3cret"
    kinds = factory.LazyFunction(lambda: list(Kind.values))
    format = WebhookFormat.GENERIC
    active = True


def order_body(suppliers, **overrides):
    """A valid `POST orders` body naming the `suppliers` fixture's pair; `overrides` replace fields."""
    return {
        "type": "质量投诉",
        "customer_name": suppliers["customer"].name,
        "accuser_name": suppliers["accuser"].name,
        "creator_name": "张三",
        "reason": "成品",
        "remark": "表面划伤",
        **overrides,
    }


def make_order(creator, customer=None, accuser=None, **overrides):
    """An order created through the real service, as the API would create it (status `waiting`)."""
    customer = customer or SupplierFactory()
    accuser = accuser or SupplierFactory()
    data = {
        "type": "质量投诉",
        "customer_name": customer.name,
        "accuser_name": accuser.name,
        "creator_name": creator.get_full_name() or creator.username,
        "reason": "成品",
        "remark": "表面划伤",
    }
    data.update(overrides)
    return services.order_create(user=creator, **data)


def order_for_former_specialist(creator, customer, accuser, username="plain_saler", first_name="", **overrides):
    """An order assigned to a specialist who has since left the `service` group: a plain user who
    sees the order (it is assigned to them) but holds no role. Returns (order, that user)."""
    specialist = UserFactory(username=username, first_name=first_name, roles=["service"])
    order = make_order(creator, customer, accuser, saler=username, **overrides)
    specialist.groups.clear()
    return order, specialist


MONEY = Decimal("5000.00")
