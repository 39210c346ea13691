"""A known dataset for the statistics: five orders built through the real services, each move at a
time set by a fixed clock, so every figure of the tests is computed by hand below.

- o1 (creator; 被告甲; 质量投诉; 成品; filed 2026-01-10 09:00 local): up the whole chain — waiting 2 h,
  service_approving 3, service_approved 4, manager_reviewing 6, manager_reviewed 1, chief_reviewing 2,
  chief_reviewed 1, finance_reviewing 5; duty report 色差 1000.00, deductions 600 + 400. Finished.
- o2 (creator; 被告甲; 交期投诉; 其它; 2026-02-03 10:00): waiting 1, service_approving 2, rejected back,
  waiting 0.5, service_approving 1, now at service_approved; duty report 质量 500.00. Open.
- o3 (creator; 被告乙; 质量投诉; 其它; 2026-02-20 08:00): waiting 3, cancelled while service_approving.
- o4 (creator; 被告乙; 2026-02-21 08:00): waiting 1, service_approving 1, rejected back, soft-deleted:
  none of it ever counts.
- o5 (other; 被告甲; 服务投诉; 其它; 2026-03-01 00:30 local, still 2026-02-28 in UTC): waiting 4 h 20 min,
  then halted at service_approving. Open.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from orders import services
from orders.workflow import Operation
from tests.factories import SupplierFactory, make_order

LOCAL = ZoneInfo("Asia/Shanghai")


@dataclass
class Dataset:
    orders: dict
    users: dict


class Clock:
    """Moves the fixed clock to `start + hours` before each step."""

    def __init__(self, start: datetime) -> None:
        self.start = start

    def at(self, hours: float):
        return time_machine.travel(self.start + timedelta(hours=hours), tick=False)


def _act(user, order, operation, clock, hours, remark=""):
    with clock.at(hours):
        return services.order_apply_operation(user=user, order_id=order.pk, operation=operation, remark=remark)


def _done_after(user, order, clock, *steps):
    """`done` at each cumulative hour of `steps` (each the length of the stay it ends)."""
    hours = 0.0
    for length in steps:
        hours += length
        _act(user, order, Operation.DONE, clock, hours)
    return hours


def build_dataset(users, service_user):
    """The five orders above; needs the `users` and `products` fixtures (SKU-1) in the database."""
    boss = users["superuser"]
    creator, other = users["creator"], users["other"]
    defendant_a = SupplierFactory(name="被告甲", specialist=service_user)
    defendant_b = SupplierFactory(name="被告乙", specialist=service_user)
    plaintiff = SupplierFactory(name="原告丙")

    def filed(user, when, customer, **fields):
        with time_machine.travel(when, tick=False):
            return make_order(user, customer, plaintiff, **fields)

    # o1: the whole chain, with money.
    start = datetime(2026, 1, 10, 9, 0, tzinfo=LOCAL)
    clock = Clock(start)
    o1 = filed(creator, start, defendant_a, type="质量投诉", reason="成品", abnormal_products=[{"sku_code": "SKU-1"}])
    _done_after(boss, o1, clock, 2, 3)  # waiting 2 h, service_approving 3 h → service_approved at +5
    with clock.at(5.5):
        services.duty_report_upsert(
            user=boss, order_id=o1.pk, values={"abnormal_type": "色差", "compensation": Decimal("1000.00")}
        )
        services.deduction_add(user=boss, order_id=o1.pk, values={"compensation": Decimal("600.00")})
        services.deduction_add(user=boss, order_id=o1.pk, values={"compensation": Decimal("400.00")})
    hours = 5.0
    for length in (4, 6, 1, 2, 1, 5):  # service_approved … finance_reviewing
        hours += length
        _act(boss, o1, Operation.DONE, clock, hours)

    # o2: rejected back once; now sitting at service_approved (that stay is left out).
    start = datetime(2026, 2, 3, 10, 0, tzinfo=LOCAL)
    clock = Clock(start)
    o2 = filed(creator, start, defendant_a, type="交期投诉", reason="其它")
    _done_after(boss, o2, clock, 1)  # waiting 1 h
    with clock.at(2):
        services.duty_report_upsert(
            user=boss, order_id=o2.pk, values={"abnormal_type": "质量", "compensation": Decimal("500")}
        )
    _act(boss, o2, Operation.REJECT, clock, 3, remark="补充照片")  # service_approving 2 h
    _act(boss, o2, Operation.DONE, clock, 3.5)  # waiting 0.5 h
    _act(boss, o2, Operation.DONE, clock, 4.5)  # service_approving 1 h

    # o3: submitted, then cancelled (the cancel keeps the status: that stay never ends).
    start = datetime(2026, 2, 20, 8, 0, tzinfo=LOCAL)
    clock = Clock(start)
    o3 = filed(creator, start, defendant_b, type="质量投诉", reason="其它")
    _done_after(boss, o3, clock, 3)
    _act(boss, o3, Operation.CANCEL, clock, 10)

    # o4: moved, rejected back, then soft-deleted: none of it counts.
    start = datetime(2026, 2, 21, 8, 0, tzinfo=LOCAL)
    clock = Clock(start)
    o4 = filed(creator, start, defendant_b, type="质量投诉", reason="其它")
    _done_after(boss, o4, clock, 1)
    _act(boss, o4, Operation.REJECT, clock, 2, remark="重填")
    with clock.at(3):
        services.order_delete(user=creator, order_id=o4.pk)

    # o5: filed at 00:30 local on 1 March (16:30 UTC on 28 February), submitted, halted.
    start = datetime(2026, 3, 1, 0, 30, tzinfo=LOCAL)
    clock = Clock(start)
    o5 = filed(other, start, defendant_a, type="服务投诉", reason="其它")
    _done_after(boss, o5, clock, 4 + 20 / 60)
    _act(boss, o5, Operation.HALT, clock, 6)

    return Dataset(orders={"o1": o1, "o2": o2, "o3": o3, "o4": o4, "o5": o5}, users=users)
