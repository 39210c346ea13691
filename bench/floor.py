"""The floor: the cheapest honest way to serve `GET orders` — a bare WSGI app, no framework.

Per request: one raw SQL query per table (count, the order page joined with its duty report,
abnormal products, tracks, deductions), dicts built by hand, `json.dumps`. Attachments, like the
API, cost no query when no order of the page has any (`attachment_count`); the benchmark's orders
have none, and a page with some is refused (the floor does not render them). No authentication,
no middleware, no throttling: everything the real endpoint spends beyond this is overhead, and
`bench/run.py` prints list-throughput ÷ floor-throughput. It answers the same bytes as the API for
the same user and page (the driver checks that before measuring).

It lives in bench/ only and is never routed by the product. gunicorn serves it with the same
worker settings as the API: `gunicorn --pythonpath bench floor:application`.

Environment: `DATABASE_URL` (postgres://) or `SQLITE_PATH`; `FLOOR_USER_ID` and `FLOOR_USER_ROLES`
(comma-separated groups) of the user whose `operations` are computed; `TIME_ZONE`.
Query string: `page`, `per_page`, `status`, `workflow_status` (validated like the API's, minus the
error envelope).
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

TZ = ZoneInfo(os.environ.get("TIME_ZONE", "Asia/Shanghai"))
USER_ID = int(os.environ.get("FLOOR_USER_ID", "0"))
ROLES = frozenset(filter(None, os.environ.get("FLOOR_USER_ROLES", "").split(",")))
IS_SUPERUSER = os.environ.get("FLOOR_USER_SUPERUSER", "") == "1"

# The step table of orders/workflow.py, inlined: status → (actors, done target?, reject target?).
STEPS = {
    "created": ((), False, False),
    "waiting": (("creator", "service"), True, False),
    "service_approving": (("service",), True, True),
    "service_approved": (("service",), True, True),
    "manager_reviewing": (("manager",), True, True),
    "manager_reviewed": (("manager",), True, True),
    "chief_reviewing": (("chief",), True, True),
    "chief_reviewed": (("chief",), True, True),
    "finance_reviewing": (("finance",), True, True),
    "end": ((), False, False),
}
WRITERS = ("creator", "service", "manager", "chief", "finance")

ORDER_SQL = """
SELECT o.id, o.serial_number, o.charge_number, o.type, o.customer_name, o.accuser_name, o.creator_id,
       o.creator_name, o.saler_name, o.status, o.workflow_status, o.summitted_at, o.created_at,
       o.updated_at, o.remark, o.reason,
       d.id, d.abnormal_type, d.abnormal_reason, d.publishment, d.publish_to, d.compensation,
       d.duty_to_supplier_id, d.duty_to, d.duty_date, o.last_reject_reason, o.attachment_count
FROM orders_order o LEFT JOIN orders_dutyreport d ON d.order_id = o.id
WHERE {where} ORDER BY o.updated_at DESC, o.id DESC LIMIT {limit} OFFSET {offset}
"""
COUNT_SQL = "SELECT COUNT(*) FROM orders_order o WHERE {where}"
LINES_SQL = (
    "SELECT order_id, id, sku_code, remark, product_item_name FROM orders_abnormalproduct "
    "WHERE order_id IN ({ids}) ORDER BY id"
)
TRACKS_SQL = (
    "SELECT order_id, id, remark, operator_name, created_at FROM orders_track WHERE order_id IN ({ids}) ORDER BY id"
)
DEDUCTIONS_SQL = (
    "SELECT order_id, id, compensation, has_receipt, remark, created_at FROM orders_deduction "
    "WHERE order_id IN ({ids}) ORDER BY id"
)


class Database:
    """One connection per worker process, opened after the fork."""

    def __init__(self) -> None:
        self.url = os.environ.get("DATABASE_URL", "")
        self.conn: Any = None
        self.pg = self.url.startswith(("postgres://", "postgresql://"))
        self.mark = "%s" if self.pg else "?"

    def cursor(self) -> Any:
        if self.conn is None:
            if self.pg:
                import psycopg2

                self.conn = psycopg2.connect(self.url)
                self.conn.autocommit = True
                with self.conn.cursor() as cursor:
                    cursor.execute("SET TIME ZONE 'UTC'")
            else:
                self.conn = sqlite3.connect(os.environ["SQLITE_PATH"], check_same_thread=False)
        return self.conn.cursor()

    def when(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite keeps naive UTC text
            value = datetime.fromisoformat(value).replace(tzinfo=UTC)
        return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")


DB = Database()


def day(value: Any) -> str | None:
    if value is None:
        return None
    return value.strftime("%Y-%m-%d") if isinstance(value, date) else str(value)


def money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def operations(status: str, workflow: str, creator_id: int) -> list[str]:
    mine = set(ROLES)
    if creator_id == USER_ID:
        mine.add("creator")
    actors, has_done, has_reject = STEPS[status]
    acts = IS_SUPERUSER or bool(mine.intersection(actors))
    writes = IS_SUPERUSER or bool(mine.intersection(WRITERS))
    chain = workflow in ("in_progress", "overdue") and bool(actors)  # workflow.ACTIONABLE
    result = []
    if chain and has_done and acts:
        result.append("done")
    if chain and has_reject and acts:
        result.append("reject")
    if writes and workflow == "in_progress":
        result.append("halt")
    if writes and workflow in ("halt", "overdue"):
        result.append("resume")
    if writes and workflow in ("in_progress", "halt", "overdue"):
        result.append("cancel")
    return result


def bad_request(start_response: Any, message: str) -> list[bytes]:
    body = json.dumps({"status": 400, "message": message}).encode()
    start_response("400 Bad Request", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def int_param(query: dict[str, list[str]], name: str, default: int, high: int | None) -> int | None:
    raw = query.get(name, [""])[0]
    if raw == "":
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        return None
    value = int(raw)
    return value if value >= 1 and (high is None or value <= high) else None


def order_page(query: dict[str, list[str]]) -> dict[str, Any] | str:
    per_page = int_param(query, "per_page", 20, 100)
    page = int_param(query, "page", 1, None)
    if per_page is None or page is None:
        return "bad page or per_page"
    where, params = ["NOT o.is_deleted"], []
    for name in ("status", "workflow_status"):
        if query.get(name):
            where.append(f"o.{name} = {DB.mark}")
            params.append(query[name][0])
    condition = " AND ".join(where)
    cursor = DB.cursor()
    cursor.execute(COUNT_SQL.format(where=condition), params)
    total = cursor.fetchone()[0]
    cursor.execute(ORDER_SQL.format(where=condition, limit=per_page, offset=(page - 1) * per_page), params)
    rows = cursor.fetchall()
    orders, by_id = [], {}
    when = DB.when
    for r in rows:
        order = {
            "id": r[0],
            "serial_number": r[1],
            "charge_number": r[2],
            "type": r[3],
            "customer_name": r[4],
            "accuser_name": r[5],
            "creator_name": r[7],
            "saler": r[8],
            "status": r[9],
            "workflow_status": r[10],
            "summitted_at": when(r[11]),
            "created_at": when(r[12]),
            "updated_at": when(r[13]),
            "remark": r[14],
            "reason": r[15],
            "last_reject_reason": r[25],
            "abnormal_products": [],
            "duty_report": None
            if r[16] is None
            else {
                "abnormal_type": r[17],
                "abnormal_reason": r[18],
                "publishment": r[19],
                "publish_to": r[20],
                "compensation": money(r[21]),
                "duty_to_id": r[22],
                "duty_to": r[23],
                "duty_date": day(r[24]),
            },
            "tracks": [],
            "deductions": [],
            "attachments": [],
            "operations": operations(r[9], r[10], r[6]),
        }
        if r[26]:
            return "the floor does not render attachments (the benchmark's orders have none)"
        orders.append(order)
        by_id[r[0]] = order
    if by_id:
        ids = ",".join(str(int(i)) for i in by_id)
        cursor.execute(LINES_SQL.format(ids=ids))
        for order_id, line_id, sku, remark, item in cursor.fetchall():
            by_id[order_id]["abnormal_products"].append(
                {"id": line_id, "skuCode": sku, "remark": remark, "product_item_name": item}
            )
        cursor.execute(TRACKS_SQL.format(ids=ids))
        for order_id, track_id, remark, operator, created in cursor.fetchall():
            by_id[order_id]["tracks"].append(
                {"id": track_id, "remark": remark, "operator_name": operator, "created_at": when(created)}
            )
        cursor.execute(DEDUCTIONS_SQL.format(ids=ids))
        for order_id, deduction_id, amount, receipt, remark, created in cursor.fetchall():
            by_id[order_id]["deductions"].append(
                {
                    "id": deduction_id,
                    "compensation": money(amount),
                    "has_receipt": bool(receipt),
                    "remark": remark,
                    "created_at": when(created),
                }
            )
    pages = -(-total // per_page) if total else 0
    return {
        "status": 0,
        "message": "ok",
        "data": orders,
        "pagination": {"page": page, "per_page": per_page, "total": total, "pages": pages},
    }


def application(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    path = environ.get("PATH_INFO", "")
    if path == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]
    if path.rstrip("/") != "/api/v1/afterservice/orders":
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    result = order_page(query)
    if isinstance(result, str):
        return bad_request(start_response, result)  # a 400: the driver counts it as an error
    body = json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


if __name__ == "__main__":  # a quick look: python bench/floor.py '/api/v1/afterservice/orders?per_page=1'
    import sys

    target = urlsplit(sys.argv[1] if len(sys.argv) > 1 else "/api/v1/afterservice/orders?per_page=1")
    print(json.dumps(order_page(parse_qs(target.query, keep_blank_values=True)), ensure_ascii=False)[:2000])
