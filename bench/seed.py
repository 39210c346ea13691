"""Bulk seeder for the benchmark: SCALE orders with all their nested records, in minutes at 1M.

The same daily volume at every scale (~333 orders a day, at least 30 days): a bigger scale is a
longer history — 10,000 orders are a month of claims, 1,000,000 about 8 years.

Every order gets 3 abnormal products, 2 tracks, 2 deductions (so a charge number), a duty report
and its journal: the `create` row plus one row per step it climbed (and one for a cancel, halt or
overdue) — about 8 rows on average. The `done` out of service_approving carries the duty report's
creation in its `changes` and the one out of service_approved the deductions' (the shape
orders/services/audit.py writes); other rows change nothing else (`[]`). Rows are generated in
Python (deterministic, seeded random) with explicit ids and written in chunks:

- PostgreSQL: `COPY ... FROM STDIN` per table and chunk; the secondary indexes are dropped before
  and rebuilt after the load, foreign-key triggers are skipped for the session
  (`session_replication_role = replica`, the generator keeps the references consistent), then
  `VACUUM ANALYZE` (planner statistics, and the visibility map that index-only counts need).
- SQLite: `executemany` per table and chunk in one transaction.

Then the live-order counters (`orders.models.OrderCount`, which the list totals and the summary
read) are set to the generator's tallies and checked against `COUNT(*)` by
`orders.counters.recount()` (any drift stops the seed), and the statistics tables (stats/) are
rebuilt from the loaded rows (`stats.services.figures_rebuild`), then VACUUM ANALYZE (SQLite:
ANALYZE) of every table of the stats app. The log ends with the time split (load, index builds,
VACUUM ANALYZE, counters, statistics rebuild), which `seed()` also returns.

The mix is what a live system looks like after a while: claims filed in the last OPEN_DAYS days
are ~12% in progress (spread over the 9 active steps, recently updated), 2% overdue, 6%
cancelled, 2% halted, the rest finished; older ones were settled long ago — finished, cancelled
(6%) or halted for good (2%). A longer history therefore has the same open orders as a short one,
as a factory filing a few hundred claims a day would: 10,000 orders (a month) are all recent,
1,000,000 (8 years) hold the same ~15,000 recent ones. About 0.5% are soft-deleted.

Users: one superuser (`bench_admin`), one `service` user (`bench_service`) who drives the reads,
~1 plain creator per 5,000 orders, 20 specialists.

Run through `bench/run.py`; alone: `DATABASE_URL=... python bench/seed.py --scale 10000` after
`manage.py migrate` on an empty database.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHAIN = [
    "waiting",
    "service_approving",
    "service_approved",
    "manager_reviewing",
    "manager_reviewed",
    "chief_reviewing",
    "chief_reviewed",
    "finance_reviewing",
    "end",
]
ACTIVE = CHAIN[:-1]  # statuses an in-progress order can sit in
TYPES = ["质量投诉", "交期投诉", "服务投诉", "结算争议"]
REASONS = ["成品", "材料", "其它"]
ABNORMAL_TYPES = ["单价", "服务", "货款", "交期", "结算", "其他", "色差", "送货", "损耗", "质量"]
ABNORMAL_REASONS = ["生产质量把控问题", "不能如期交货", "成品工厂自行采购", "检查方式有误", "质疑质量问题"]
REMARKS = ["表面划伤，需返工", "颜色与样品不符", "到货延期三天", "包装破损导致变形", "五金件缺失", "尺寸偏差超出公差"]
TRACK_REMARKS = ["已联系供应商核实", "供应商已确认问题", "等待返工结果", "已安排现场检查"]
CHUNK = 5_000  # orders per write
# Orders filed in the last OPEN_DAYS days may still be open; older ones are settled.
OPEN_DAYS = 45
PER_DAY = 333  # orders filed a day, at every scale
DAYS_MIN = 30


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Bulk-seed the benchmark database.")
    parser.add_argument("--scale", type=int, default=int(os.environ.get("SCALE", "10000")), help="orders")
    parser.add_argument("--seed", type=int, default=20261128, help="random seed (deterministic data)")
    return parser.parse_args(argv)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "afterservice_site.settings")
    os.environ.setdefault("AFTERSERVICE_DEV_KEY_OK", "1")
    import django

    django.setup()


# --- Master data through the ORM (a few hundred rows) -----------------------------------------------
def seed_master_data(scale: int, rng: random.Random) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from products.models import Product
    from suppliers.models import Supplier

    User = get_user_model()
    groups = {group.name: group for group in Group.objects.all()}

    def make_users(prefix: str, count: int, first_name: str, **extra: Any) -> list[Any]:
        users = [User(username=f"{prefix}{n:04d}", first_name=f"{first_name}{n}", **extra) for n in range(1, count + 1)]
        for user in users:
            user.set_unusable_password()  # no hashing cost; the benchmark uses tokens
        return User.objects.bulk_create(users)

    admin = User(username="bench_admin", first_name="压测管理员", is_superuser=True, is_staff=True)
    service = User(username="bench_service", first_name="压测专员")
    for user in (admin, service):
        user.set_unusable_password()
    admin.save()
    service.save()
    service.groups.add(groups["service"])
    specialists = make_users("specialist", 20, "专员")
    creators = make_users("creator", max(10, scale // 5000), "员工")
    managers = make_users("manager", 3, "经理")
    chiefs = make_users("chief", 2, "主管")
    finance = make_users("finance", 2, "财务")
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=u.pk, group_id=groups["service"].pk) for u in specialists]
        + [Membership(user_id=u.pk, group_id=groups["manager"].pk) for u in managers]
        + [Membership(user_id=u.pk, group_id=groups["chief"].pk) for u in chiefs]
        + [Membership(user_id=u.pk, group_id=groups["finance"].pk) for u in finance]
    )
    tokens = {user.username: Token.objects.create(user=user).key for user in (admin, service, creators[0])}

    products = Product.objects.bulk_create(
        [
            Product(sku_code=f"BSKU{n:05d}", item_name=f"家具{n}号", item_code=f"IC{n:05d}", sku_name=f"规格{n}")
            for n in range(1, 501)
        ]
    )
    n_suppliers = max(50, scale // 5000)
    suppliers = Supplier.objects.bulk_create(
        [
            Supplier(
                name=f"压测供应商{n:04d}",
                role="成品商" if n % 2 else "材料商",
                specialist=specialists[n % len(specialists)],
            )
            for n in range(1, n_suppliers + 1)
        ]
    )
    actors = {
        "waiting": creators,
        "service_approving": specialists,
        "service_approved": specialists,
        "manager_reviewing": managers,
        "manager_reviewed": managers,
        "chief_reviewing": chiefs,
        "chief_reviewed": chiefs,
        "finance_reviewing": finance,
    }
    return {
        "tokens": tokens,
        "creators": [(u.pk, u.first_name) for u in creators],
        "suppliers": [(s.pk, s.name, s.specialist_id) for s in suppliers],
        "specialist_names": {u.pk: u.first_name for u in specialists},
        "products": [(p.pk, p.sku_code, p.item_name) for p in products],
        "actors": {status: [(u.pk, u.first_name) for u in users] for status, users in actors.items()},
        "users": {"bench_admin": admin.pk, "bench_service": service.pk, "creator": creators[0].pk},
    }


# --- Orders and their records: generated rows ----------------------------------------------------------
class Tables:
    """Table names and column lists, read from the models (so a renamed column fails loudly)."""

    def __init__(self) -> None:
        from django.db.models import NOT_PROVIDED

        from orders.models import AbnormalProduct, Deduction, DutyReport, Journal, Order, Track

        self.models = {
            "order": Order,
            "abnormal": AbnormalProduct,
            "track": Track,
            "deduction": Deduction,
            "duty": DutyReport,
            "journal": Journal,
        }
        self.columns = {
            "order": [
                "id", "serial_number", "charge_number", "type", "customer_id", "customer_name", "accuser_id",
                "accuser_name", "creator_id", "creator_name", "saler_id", "saler_name", "status",
                "workflow_status", "step_started_at", "summitted_at", "remark", "reason", "last_reject_reason",
                "create_fingerprint", "is_deleted", "deleted_at", "created_at", "updated_at", "attachment_count",
            ],
            "abnormal": ["id", "order_id", "product_id", "sku_code", "remark", "product_item_name", "created_at"],
            "track": ["id", "order_id", "remark", "operator_id", "operator_name", "created_at"],
            "deduction": ["id", "order_id", "compensation", "has_receipt", "remark", "created_at", "updated_at"],
            "duty": [
                "id", "order_id", "abnormal_type", "abnormal_reason", "publishment", "publish_to", "compensation",
                "duty_to", "duty_to_supplier_id", "duty_date", "created_at", "updated_at",
            ],
            "journal": [
                "id", "order_id", "operation", "source", "target", "workflow_source", "workflow_target",
                "operator_id", "operator_name", "on_behalf_of", "remark", "changes", "created_at",
            ],
        }  # fmt: skip
        for key, model in self.models.items():
            fields = model._meta.concrete_fields
            missing = set(self.columns[key]) - {field.column for field in fields}
            if missing:
                raise SystemExit(f"seed: {model.__name__} has no column(s) {sorted(missing)}")
            # A new NOT NULL column without a database default would fail the load half-way.
            unwritten = [
                f.column
                for f in fields
                if f.column not in self.columns[key] and not f.null and f.db_default is NOT_PROVIDED
            ]
            if unwritten:
                raise SystemExit(f"seed: {model.__name__}'s column(s) {unwritten} are not written by the seeder")

    def table(self, key: str) -> str:
        return self.models[key]._meta.db_table


# The `changes` JSON of those `done` rows, as json.dumps(..., ensure_ascii=False, separators=(",", ":"))
# writes it, by str.format (a sixth of the generator's time with json.dumps at 1M). The values
# have no quote, backslash, tab or newline: the text is valid JSON and valid COPY text.
DUTY_REPORT_CHANGES = (
    '[{{"record":"duty_report","id":{oid},"action":"create","fields":{{"abnormal_type":[null,"{0}"],'
    '"abnormal_reason":[null,"{1}"],"publishment":[null,"{2}"],"publish_to":[null,"{3}"],'
    '"compensation":[null,"{4}"],"duty_to_id":[null,{6}],"duty_to":[null,"{5}"],"duty_date":[null,"{7}"]}}}}]'
)
DEDUCTION_CHANGES = (
    '[{{"record":"deduction","id":{0},"action":"create","fields":{{"compensation":[null,"{1}"],'
    '"has_receipt":[null,true],"remark":[null,"扣款"]}}}},'
    '{{"record":"deduction","id":{2},"action":"create","fields":{{"compensation":[null,"{3}"],'
    '"has_receipt":[null,false],"remark":[null,"扣款"]}}}}]'
)


def compensation(index: int) -> str:
    """The duty report's compensation of order `index` (0-based)."""
    return f"{(index % 6 + 1) * 5000}.00"


def deduction_amount(index: int, k: int) -> str:
    """The order's 2 deductions: 60% and 40% of the compensation, which they must add up to before
    finance approves (`orders.workflow.done_blocker`)."""
    return f"{(index % 6 + 1) * (3000 if k == 0 else 2000)}.00"


class Generator:
    """Deterministic rows for orders `start..end-1` (ids are explicit; children ids derive from them)."""

    def __init__(self, scale: int, master: dict[str, Any], seed: int, pg: bool) -> None:
        self.scale, self.master, self.seed = scale, master, seed
        self.true, self.false = ("t", "f") if pg else ("1", "0")
        self.null = "\\N" if pg else None
        self.tz = "+00" if pg else ""
        # The same daily volume at every scale (~PER_DAY orders a day, at least DAYS_MIN days): a
        # bigger scale is a longer history, not a busier day — 10k orders are a month, 1M are ~8
        # years of claims. They end the day before yesterday (UTC): today's serial numbers (the
        # benchmark's creates) never collide with seeded ones, and a day's sequence fits 4 digits.
        self.days = max(DAYS_MIN, -(-scale // PER_DAY))
        self.last_day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=2)
        self.first_day = self.last_day - timedelta(days=self.days - 1)
        self.now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        self.per_day = -(-scale // self.days)
        assert self.per_day <= 9999, "serial numbers have a 4-digit daily sequence"
        self.journal_id = 0  # running id; chunks are generated in order
        # Live (not soft-deleted) orders per (status, workflow status): the counters orders.counters keeps.
        self.live: Counter[tuple[str, str]] = Counter()

    def ts(self, value: datetime) -> str:
        return str(value)[:19] + self.tz  # "YYYY-MM-DD HH:MM:SS" (str() is faster than strftime)

    def chunk(self, start: int, end: int) -> dict[str, list[tuple[Any, ...]]]:
        rng = random.Random(self.seed * 1_000_003 + start)
        m = self.master
        creators, suppliers, products, actors = m["creators"], m["suppliers"], m["products"], m["actors"]
        specialist_names = m["specialist_names"]
        t, f, null, ts = self.true, self.false, self.null, self.ts
        rows: dict[str, list[tuple[Any, ...]]] = {k: [] for k in ("order", "abnormal", "track", "deduction")}
        rows["duty"], rows["journal"] = [], []
        for oid in range(start, end):
            index = oid - 1
            day_index, seq = divmod(index, self.per_day)
            # 00:00-12:00 UTC is 08:00-20:00 in Asia/Shanghai: the UTC date is the local date of the serial.
            created = self.first_day + timedelta(days=day_index, seconds=rng.randrange(12 * 3600))
            serial_day = created
            serial = f"SH{serial_day:%Y%m%d}{seq + 1:04d}"
            charge = f"CH{serial_day:%Y%m%d}{seq + 1:04d}"
            roll = rng.random()
            recent = created >= self.now - timedelta(days=OPEN_DAYS)
            if recent and roll < 0.12:  # in progress, recently moved
                workflow, step = "in_progress", rng.randrange(len(ACTIVE))
            elif roll < 0.18:
                workflow, step = "cancel", rng.randrange(len(ACTIVE))
            elif roll < 0.20:
                workflow, step = "halt", rng.randrange(len(ACTIVE))
            elif recent and roll < 0.22:
                workflow, step = "overdue", rng.randrange(len(ACTIVE))
            else:
                workflow, step = "done", len(CHAIN) - 1
            status = CHAIN[step]
            if workflow in ("in_progress", "overdue") and created < self.now - timedelta(days=20):
                updated = self.now - timedelta(seconds=rng.randrange(20 * 86400))
                updated = max(updated, created + timedelta(minutes=5))
            else:
                room = int(min(20 * 86400, (self.now - created).total_seconds()))
                updated = created + timedelta(seconds=rng.randrange(3600, max(room, 3601)))
            creator_id, creator_name = creators[rng.randrange(len(creators))]
            customer = suppliers[rng.randrange(len(suppliers))]
            accuser = suppliers[rng.randrange(len(suppliers))]
            saler_id = customer[2]
            deleted = rng.random() < 0.005 and step <= 1
            summitted = ts(created + timedelta(hours=1)) if step >= 1 else null
            rows["order"].append(
                (
                    str(oid), serial, charge, TYPES[index % len(TYPES)], str(customer[0]), customer[1],
                    str(accuser[0]), accuser[1], str(creator_id), creator_name, str(saler_id),
                    specialist_names[saler_id], status, workflow, ts(updated), summitted,
                    REMARKS[rng.randrange(len(REMARKS))] + f"（批次{oid}）", REASONS[index % 3], "", "",
                    t if deleted else f, ts(updated) if deleted else null, ts(created), ts(updated), "0",
                )
            )  # fmt: skip
            if not deleted:
                self.live[status, workflow] += 1
            created_s = ts(created)
            for k in range(3):
                pid, sku, item = products[(index * 3 + k) % len(products)]
                rows["abnormal"].append(
                    (
                        str(oid * 3 - 2 + k),
                        str(oid),
                        str(pid),
                        sku,
                        REMARKS[(index + k) % len(REMARKS)],
                        item,
                        created_s,
                    )
                )
            for k in range(2):
                rows["track"].append(
                    (
                        str(oid * 2 - 1 + k), str(oid), TRACK_REMARKS[(index + k) % len(TRACK_REMARKS)],
                        str(saler_id), specialist_names[saler_id], ts(created + timedelta(hours=2 + k)),
                    )
                )  # fmt: skip
                rows["deduction"].append(
                    (
                        str(oid * 2 - 1 + k), str(oid), deduction_amount(index, k),
                        t if k == 0 else f, "扣款", ts(created + timedelta(hours=3)), ts(created + timedelta(hours=3)),
                    )
                )  # fmt: skip
            duty = (
                ABNORMAL_TYPES[index % len(ABNORMAL_TYPES)], ABNORMAL_REASONS[index % len(ABNORMAL_REASONS)],
                "处罚" if index % 4 else "不处罚", "成品供应商", compensation(index), customer[1],
                str(customer[0]), f"{created + timedelta(days=1):%Y-%m-%d}",
            )  # fmt: skip
            rows["duty"].append((str(oid), str(oid), *duty, created_s, created_s))
            # Journal: created → waiting, then one `done` per step climbed, then the workflow move.
            self.journal_id += 1
            rows["journal"].append(
                (
                    str(self.journal_id), str(oid), "create", "created", "waiting", "in_progress",
                    "in_progress", str(creator_id), creator_name, "", "", "[]", created_s,
                )
            )  # fmt: skip
            span = max((updated - created).total_seconds(), 60.0)
            for k in range(step):
                source, target = CHAIN[k], CHAIN[k + 1]
                actor_id, actor_name = actors[source][rng.randrange(len(actors[source]))]
                finishing = target == "end"
                self.journal_id += 1
                rows["journal"].append(
                    (
                        str(self.journal_id), str(oid), "done", source, target, "in_progress",
                        "done" if finishing else "in_progress", str(actor_id), actor_name, "", "同意",
                        self.changes(source, oid, duty), ts(created + timedelta(seconds=span * (k + 1) / (step + 1))),
                    )
                )  # fmt: skip
            if workflow in ("cancel", "halt", "overdue"):
                self.journal_id += 1
                rows["journal"].append(
                    (
                        str(self.journal_id), str(oid), workflow, status, status, "in_progress", workflow,
                        null if workflow == "overdue" else str(creator_id),
                        "system" if workflow == "overdue" else creator_name, "", "", "[]", ts(updated),
                    )
                )  # fmt: skip
        return rows

    @staticmethod
    def changes(source: str, oid: int, duty: tuple[str, ...]) -> str:
        """The `changes` of a `done` row (orders.services.audit's shape), where the service writes
        some: the specialist files the duty report with the `done` out of service_approving and
        the deductions with the one out of service_approved. Other moves change nothing else."""
        if source == "service_approving":
            return DUTY_REPORT_CHANGES.format(*duty, oid=oid)
        if source == "service_approved":
            index = oid - 1
            return DEDUCTION_CHANGES.format(
                oid * 2 - 1, deduction_amount(index, 0), oid * 2, deduction_amount(index, 1)
            )
        return "[]"


# --- Writers -------------------------------------------------------------------------------------------
class PostgresWriter:
    def __init__(self, connection: Any, tables: Tables) -> None:
        self.connection, self.tables = connection, tables
        self.raw = connection.connection  # psycopg2 connection
        self.saved_indexes: list[str] = []

    def begin(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # skip FK triggers (consistent data)
            names = [self.tables.table(key) for key in self.tables.models]
            # Secondary indexes that back no constraint: rebuilt once after the load.
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
                """,
                [names],
            )
            self.saved_indexes = []
            for name, definition in cursor.fetchall():
                self.saved_indexes.append(definition)
                cursor.execute(f'DROP INDEX "{name}"')

    def write(self, key: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        buffer = io.StringIO("\n".join("\t".join(row) for row in rows) + "\n")
        columns = ", ".join(f'"{c}"' for c in self.tables.columns[key])
        with self.raw.cursor() as cursor:
            cursor.copy_expert(f'COPY "{self.tables.table(key)}" ({columns}) FROM STDIN', buffer)

    def finish(self, log: Any) -> tuple[float, float]:
        """Rebuilds the dropped indexes, then VACUUM ANALYZE; returns the seconds of each."""
        started = time.monotonic()
        with self.connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for definition in self.saved_indexes:
                cursor.execute(definition)
            cursor.execute("SET session_replication_role = DEFAULT")
            for key in self.tables.models:
                table = self.tables.table(key)
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
                )
        indexes = time.monotonic() - started
        log(f"seed: {len(self.saved_indexes)} indexes rebuilt in {indexes:.0f}s")
        started = time.monotonic()
        self.raw.commit()
        old = self.raw.autocommit
        self.raw.autocommit = True
        with self.raw.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.raw.autocommit = old
        vacuum = time.monotonic() - started
        log(f"seed: VACUUM ANALYZE in {vacuum:.0f}s")
        return indexes, vacuum


class SQLiteWriter:
    def __init__(self, connection: Any, tables: Tables) -> None:
        self.connection, self.tables = connection, tables

    def begin(self) -> None:
        pass

    def write(self, key: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        columns = self.tables.columns[key]
        sql = f'INSERT INTO "{self.tables.table(key)}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
        self.connection.connection.executemany(sql, rows)

    def finish(self, log: Any) -> tuple[float, float]:
        """SQLite keeps its indexes during the load: only ANALYZE."""
        started = time.monotonic()
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return 0.0, time.monotonic() - started


def seed(scale: int, seed_value: int = 20261128, log: Any = print) -> dict[str, Any]:
    """Fills an empty, migrated database; returns the bench users' tokens and ids, and the seconds
    each phase took (`times`: load, index builds, VACUUM ANALYZE, counters, statistics, total)."""
    from django.db import connection, transaction

    from orders.models import Order

    if Order.objects.exists():
        raise SystemExit("seed: the database already has orders; seed an empty one")
    started = time.monotonic()
    rng = random.Random(seed_value)
    pg = connection.vendor == "postgresql"
    tables = Tables()
    with transaction.atomic():
        master = seed_master_data(scale, rng)
        writer: Any = PostgresWriter(connection, tables) if pg else SQLiteWriter(connection, tables)
        writer.begin()
        generator = Generator(scale, master, seed_value, pg)
        for start in range(1, scale + 1, CHUNK):
            rows = generator.chunk(start, min(start + CHUNK, scale + 1))
            for key in ("order", "abnormal", "track", "deduction", "duty", "journal"):
                writer.write(key, rows[key])
            done = min(start + CHUNK - 1, scale)
            if done % 100_000 == 0 or done == scale:
                log(f"seed: {done:,} orders ({time.monotonic() - started:.0f}s)")
    times = {"load_s": time.monotonic() - started}
    log(f"seed: {scale:,} orders over {generator.days:,} days ({generator.per_day}/day) in {times['load_s']:.0f}s")
    times["indexes_s"], times["vacuum_s"] = writer.finish(log)
    phase = time.monotonic()
    _counters(generator.live, log)
    times["counters_s"] = time.monotonic() - phase
    phase = time.monotonic()
    _statistics(pg)
    times["statistics_s"] = time.monotonic() - phase
    log(f"seed: statistics tables rebuilt in {times['statistics_s']:.0f}s")
    times["total_s"] = time.monotonic() - started
    times = {name: round(seconds, 1) for name, seconds in times.items()}
    log(
        f"seed: {scale:,} orders, {generator.journal_id:,} journal rows in {times['total_s']:.0f}s "
        f"({connection.vendor}): {describe_times(times)}"
    )
    return {
        "tokens": master["tokens"],
        "users": master["users"],
        "journal_rows": generator.journal_id,
        "days": generator.days,
        "times": times,
    }


def describe_times(times: dict[str, float]) -> str:
    """`load 277s, index builds 49s, …`: the seeding time split, for the logs and the results header."""
    names = {
        "load_s": "load",
        "indexes_s": "index builds",
        "vacuum_s": "VACUUM ANALYZE",
        "counters_s": "counters",
        "statistics_s": "statistics rebuild",
    }
    return ", ".join(f"{label} {times[key]:.0f}s" for key, label in names.items() if key in times)


def _counters(live: Counter[tuple[str, str]], log: Any) -> None:
    """The live-order counters (orders.counters: the list totals are read from them) set to the
    generator's tallies, then checked against `COUNT(*)` by `orders.counters.recount`."""
    from django.db import transaction

    from orders import counters
    from orders.models import OrderCount

    with transaction.atomic():
        OrderCount.objects.update(live=0)
        for (status, workflow_status), count in sorted(live.items()):
            if not OrderCount.objects.filter(status=status, workflow_status=workflow_status).update(live=count):
                raise SystemExit(f"seed: no counter row for ({status}, {workflow_status}); migrate first")
    drifts = counters.recount()
    if drifts:
        raise SystemExit(f"seed: the live-order counters drifted from COUNT(*): {drifts[:5]}")
    log(
        f"seed: live-order counters set ({sum(live.values()):,} live orders in {len(live)} "
        "(status, workflow status) pairs); recount: no drift"
    )


def _statistics(pg: bool) -> None:
    """The statistics tables (stats/) from what was loaded: the services keep them for each write,
    a bulk load rebuilds them whole. Then VACUUM ANALYZE (SQLite: ANALYZE) every table of the app."""
    from django.apps import apps
    from django.db import connection, transaction

    from stats.services import figures_rebuild

    with transaction.atomic():
        if pg:
            with connection.cursor() as cursor:
                # The rows come from consistent data: skip the deferred foreign-key checks (7M at 1M).
                cursor.execute("SET LOCAL session_replication_role = replica")
        figures_rebuild()
    tables = [
        model._meta.db_table
        for model in apps.get_app_config("stats").get_models()
        if model._meta.managed and not model._meta.proxy
    ]
    if not pg:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        return
    raw = connection.connection
    old, raw.autocommit = raw.autocommit, True  # VACUUM runs outside a transaction
    with raw.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
    raw.autocommit = old


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django()
    result = seed(args.scale, args.seed)
    print(result["tokens"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
