"""Attachments (evidence) on orders, the order's attachment count, and the role groups' admin
permissions for them: view, add and delete for all four roles (who may add or delete a given
file at a given step is the edit table's, checked by the service); nobody changes one.

The count column keeps a database default, so the previous release can still insert orders
while this migration is live; on PostgreSQL adding it rewrites no row.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

ROLES = ["service", "manager", "chief", "finance"]
CODENAMES = ["view_attachment", "add_attachment", "delete_attachment"]


def grant(apps, schema_editor):
    # Permissions are created after the whole `migrate` run (post_migrate); create them now.
    app_config = apps.get_app_config("orders")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, using=schema_editor.connection.alias, apps=apps)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = list(Permission.objects.filter(content_type__app_label="orders", codename__in=CODENAMES))
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = list(Permission.objects.filter(content_type__app_label="orders", codename__in=CODENAMES))
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0010_order_counts"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="attachment_count",
            field=models.PositiveSmallIntegerField(db_default=0, default=0, editable=False, verbose_name="attachments"),
        ),
        migrations.CreateModel(
            name="Attachment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file_name", models.CharField(editable=False, max_length=255, verbose_name="stored file")),
                (
                    "thumbnail_name",
                    models.CharField(blank=True, editable=False, max_length=255, verbose_name="stored thumbnail"),
                ),
                ("name", models.CharField(max_length=255, verbose_name="file name")),
                ("content_type", models.CharField(max_length=50, verbose_name="file type")),
                ("size", models.PositiveBigIntegerField(verbose_name="size (bytes)")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("width", models.PositiveIntegerField(blank=True, null=True, verbose_name="width")),
                ("height", models.PositiveIntegerField(blank=True, null=True, verbose_name="height")),
                ("remark", models.TextField(blank=True, max_length=5000, verbose_name="remark")),
                ("uploaded_by_name", models.CharField(max_length=100, verbose_name="uploader name")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("created", "created"),
                            ("waiting", "waiting for submission"),
                            ("service_approving", "awaiting specialist review"),
                            ("service_approved", "specialist reviewed"),
                            ("manager_reviewing", "awaiting manager approval"),
                            ("manager_reviewed", "manager approved"),
                            ("chief_reviewing", "awaiting chief approval"),
                            ("chief_reviewed", "chief approved"),
                            ("finance_reviewing", "awaiting finance approval"),
                            ("end", "finance approved (end)"),
                        ],
                        max_length=20,
                        verbose_name="order status when added",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="uploaded at"),
                ),
                (
                    "abnormal_product",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="attachments",
                        to="orders.abnormalproduct",
                        verbose_name="abnormal product",
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attachments",
                        to="orders.order",
                        verbose_name="order",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "attachment",
                "verbose_name_plural": "attachments",
                "ordering": ["id"],
                "constraints": [
                    models.UniqueConstraint(fields=("order", "sha256"), name="attachment_order_sha256_unique")
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
