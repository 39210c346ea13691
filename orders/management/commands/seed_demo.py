"""`manage.py seed_demo`: demo users (one per role plus a plain creator), products, suppliers
and a dozen orders spread over the workflow. Idempotent; passwords are random and printed once."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from rest_framework.authtoken.models import Token

from orders import services, workflow
from orders.models import Order
from orders.workflow import Operation
from products.models import Product
from suppliers.models import Supplier

USERS = [
    # username, full name, role group (None: a plain creator), superuser
    ("admin", "管理员", None, True),
    ("creator", "王小明", None, False),
    ("service", "李专员", workflow.SERVICE, False),
    ("manager", "赵经理", workflow.MANAGER, False),
    ("chief", "钱主管", workflow.CHIEF, False),
    ("finance", "孙财务", workflow.FINANCE, False),
]

PRODUCTS = [
    (f"SKU-{n:04d}", name, f"IC-{n:04d}", spec)
    for n, (name, spec) in enumerate(
        [
            ("布艺沙发", "三人位 灰色"),
            ("真皮沙发", "双人位 棕色"),
            ("实木餐桌", "1.6米 胡桃木"),
            ("餐椅", "软包 米白"),
            ("床垫", "1.8米 乳胶"),
            ("床架", "1.5米 橡木"),
            ("衣柜", "四门 白色"),
            ("茶几", "岩板 圆形"),
            ("电视柜", "2.0米 黑胡桃"),
            ("书桌", "1.2米 升降"),
            ("办公椅", "人体工学"),
            ("鞋柜", "翻斗 三层"),
        ],
        start=1,
    )
]

SUPPLIERS = [
    ("华美家具厂", "成品商", False),
    ("金林木业", "材料商", False),
    ("顺达皮革", "材料商", False),
    ("宏远五金", "材料商", False),
    ("佳居软体", "成品商", False),
    ("安运物流", "成品商", True),
]

# (reason, how many `done` steps, then an optional workflow operation)
ORDER_PLAN = [
    ("成品", 0, None),
    ("材料", 0, None),
    ("其它", 1, None),
    ("成品", 2, None),
    ("材料", 3, None),
    ("成品", 4, None),
    ("其它", 5, None),
    ("成品", 6, None),
    ("材料", 7, None),
    ("成品", 8, None),
    ("材料", 2, Operation.HALT),
    ("其它", 0, Operation.CANCEL),
]


class Command(BaseCommand):
    help = "Create demo users, products, suppliers and orders (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any user already exists.")

    def handle(self, *args: Any, if_empty: bool = False, **options: Any) -> None:
        User = get_user_model()  # noqa: N806
        if if_empty and User.objects.exists():
            self.stdout.write("seed_demo: database already has users; nothing to do.")
            return
        with transaction.atomic():
            accounts = self._users()
            products = self._products()
            suppliers = self._suppliers(accounts["service"][0])
            created_orders = self._orders(accounts, products, suppliers)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"{'username':<10} {'role':<9} {'password':<22} token")
        for username, (user, password, role) in accounts.items():
            token, _ = Token.objects.get_or_create(user=user)
            shown = password or "(unchanged)"
            self.stdout.write(f"{username:<10} {role:<9} {shown:<22} {token.key}")
        self.stdout.write(f"products: {len(products)}, suppliers: {len(suppliers)}, new orders: {created_orders}")

    def _users(self) -> dict[str, tuple[Any, str | None, str]]:
        User = get_user_model()  # noqa: N806
        accounts = {}
        for username, full_name, role, is_superuser in USERS:
            user = User.objects.filter(username=username).first()
            password = None
            if user is None:
                password = secrets.token_urlsafe(12)
                user = User(username=username, first_name=full_name, is_staff=True, is_superuser=is_superuser)
                user.set_password(password)
                user.save()
            if role:
                user.groups.add(Group.objects.get(name=role))
            accounts[username] = (user, password, role or ("superuser" if is_superuser else "creator"))
        return accounts

    def _products(self) -> list[Product]:
        products = []
        for sku, name, code, spec in PRODUCTS:
            product, _ = Product.objects.get_or_create(
                sku_code=sku, defaults={"item_name": name, "item_code": code, "sku_name": spec}
            )
            products.append(product)
        return products

    def _suppliers(self, specialist: Any) -> list[Supplier]:
        suppliers = []
        for name, role, is_logistic in SUPPLIERS:
            supplier, _ = Supplier.objects.get_or_create(
                name=name, defaults={"role": role, "is_logistic": is_logistic, "specialist": specialist}
            )
            suppliers.append(supplier)
        return suppliers

    def _orders(self, accounts: dict[str, Any], products: list[Product], suppliers: list[Supplier]) -> int:
        if Order.objects.exists():
            return 0
        creator = accounts["creator"][0]
        by_step = {
            step.status: next(
                (accounts[role][0] for role in ("service", "manager", "chief", "finance") if role in step.actors), None
            )
            for step in workflow.STEPS
        }
        for index, (reason, steps, extra) in enumerate(ORDER_PLAN):
            order = services.order_create(
                user=creator,
                type="质量投诉" if index % 2 == 0 else "交期投诉",
                customer_name=suppliers[index % 5].name,
                accuser_name=suppliers[(index + 1) % 5].name,
                creator_name=creator.first_name,
                reason=reason,
                remark=f"第 {index + 1} 单：{products[index % len(products)].item_name} 到货异常",
                abnormal_products=[{"sku_code": products[index % len(products)].sku_code, "remark": "表面划伤"}],
            )
            for _ in range(steps):
                order.refresh_from_db()
                actor = creator if order.status == workflow.Status.WAITING else by_step[order.status]
                data: dict[str, Any] = {"operation": Operation.DONE, "remark": "同意"}
                if order.status == workflow.Status.SERVICE_APPROVING:
                    data["duty_report"] = {
                        "abnormal_type": "质量",
                        "abnormal_reason": "生产质量把控问题",
                        "publish_to": "成品供应商",
                        "publishment": "处罚",
                        "compensation": 5000,
                        "duty_to": order.customer_name,
                    }
                    data["tracks"] = [{"remark": "已联系供应商核实"}]
                elif order.status == workflow.Status.SERVICE_APPROVED:
                    # The charge-back lines add up to the duty report's compensation (finance checks it).
                    data["deductions"] = [
                        {"compensation": 3000, "has_receipt": True, "remark": "第一笔扣款"},
                        {"compensation": 2000, "has_receipt": False, "remark": "第二笔扣款"},
                    ]
                services.order_update(user=actor, order_id=order.pk, **data)
            if extra:
                services.order_update(user=creator, order_id=order.pk, operation=extra, remark="演示")
        return len(ORDER_PLAN)
