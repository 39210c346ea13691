"""Data for the edit rules and the audit trail; existing orders stay valid, no journal row is
rewritten.

- The `ordertype` option list: the seed values, then every type existing orders already use (so
  each stays a valid choice for them).
- `last_reject_reason` of each order: the remark of its latest reject in the journal.
- The database refuses to change journal rows: a trigger on UPDATE (both databases) and on
  DELETE (PostgreSQL; on SQLite the test runner's flush deletes rows, and the model and its
  queryset refuse deletes anyway; orders, which journal rows point to, are never deleted).
"""

from django.db import migrations

ORDER_TYPES = ["质量投诉", "交期投诉", "服务投诉", "结算争议", "其他"]

POSTGRES_TRIGGER = """
CREATE OR REPLACE FUNCTION orders_journal_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'journal rows are immutable';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER orders_journal_immutable BEFORE UPDATE OR DELETE ON orders_journal
    FOR EACH ROW EXECUTE FUNCTION orders_journal_immutable();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS orders_journal_immutable ON orders_journal;
DROP FUNCTION IF EXISTS orders_journal_immutable();
"""
SQLITE_TRIGGER = """
CREATE TRIGGER orders_journal_immutable BEFORE UPDATE ON orders_journal
BEGIN
    SELECT RAISE(ABORT, 'journal rows are immutable');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS orders_journal_immutable;"


def seed_order_types(apps, schema_editor):
    OptionValue = apps.get_model("orders", "OptionValue")
    Order = apps.get_model("orders", "Order")
    in_use = Order.objects.order_by().values_list("type", flat=True).distinct()
    values = ORDER_TYPES + sorted(set(in_use) - set(ORDER_TYPES))
    for position, value in enumerate(values, start=1):
        OptionValue.objects.get_or_create(category="ordertype", value=value, defaults={"position": position})


def remove_order_types(apps, schema_editor):
    apps.get_model("orders", "OptionValue").objects.filter(category="ordertype").delete()


def fill_last_reject_reasons(apps, schema_editor):
    Journal = apps.get_model("orders", "Journal")
    Order = apps.get_model("orders", "Order")
    latest: dict[int, str] = {}
    for order_id, remark in Journal.objects.filter(operation="reject").order_by("id").values_list("order_id", "remark"):
        latest[order_id] = remark
    for order_id, remark in latest.items():
        Order.objects.filter(pk=order_id).update(last_reject_reason=remark)


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_TRIGGER)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("orders", "0007_audit_trail_and_edit_rules")]

    operations = [
        migrations.RunPython(seed_order_types, remove_order_types),
        migrations.RunPython(fill_last_reject_reasons, migrations.RunPython.noop),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
