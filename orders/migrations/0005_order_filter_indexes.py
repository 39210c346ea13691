"""Indexes that match the API's filters followed by its order (`-updated_at`, `-id`), partial on
live orders: a filtered first page is an ordered index scan, its count an index-only scan
(README "Performance" has the EXPLAIN at 1M orders). On a large PostgreSQL table, build them
beforehand with CREATE INDEX CONCURRENTLY if the table must stay writable during the migration."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_role_permissions"),
        ("suppliers", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="order",
            name="order_status_idx",
        ),
        migrations.RemoveIndex(
            model_name="order",
            name="order_creator_name_idx",
        ),
        migrations.RemoveIndex(
            model_name="order",
            name="order_saler_name_idx",
        ),
        migrations.RemoveIndex(
            model_name="order",
            name="order_customer_name_idx",
        ),
        migrations.RemoveIndex(
            model_name="order",
            name="order_accuser_name_idx",
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("is_deleted", False)),
                fields=["status", "workflow_status", "-updated_at", "-id"],
                name="order_status_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("is_deleted", False)),
                fields=["creator_name", "-updated_at", "-id"],
                name="order_creator_name_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("is_deleted", False)),
                fields=["saler_name", "-updated_at", "-id"],
                name="order_saler_name_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("is_deleted", False)),
                fields=["customer_name", "-updated_at", "-id"],
                name="order_customer_name_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("is_deleted", False)),
                fields=["accuser_name", "-updated_at", "-id"],
                name="order_accuser_name_idx",
            ),
        ),
    ]
