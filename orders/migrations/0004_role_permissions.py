"""The role groups' model permissions for the back office (docs/workflow.md).

The model permissions decide which admin pages a role user sees and which inlines they may
write; `orders.workflow` still decides, per order and step, who may act (the service checks it).
A role user also needs `is_staff` to log in to the admin.

| model                         | service          | manager         | chief           | finance          |
|-------------------------------|------------------|-----------------|-----------------|------------------|
| order                         | view add change  | view add change | view add change | view add change  |
| abnormal product              | view add change delete (all four roles)                                      |
| duty report                   | view add change (all four roles)                                             |
| follow-up (append only)       | view add (all four roles)                                                    |
| deduction                     | view add change delete | view      | view            | view add change delete |
| journal                       | view (all four roles; nobody adds, changes or deletes rows in the admin)     |
| option value                  | view             | view add change | view add change | view             |
| product, supplier             | view             | view add change | view add change | view             |
| user (specialist autocomplete)| —                | view            | view            | —                |

No role may delete orders (soft delete is the API's `DELETE orders/<id>`), journal rows, option
values, products or suppliers (retired with their `active` flag).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ["service", "manager", "chief", "finance"]
SUPERVISORS = ["manager", "chief"]

# (app_label, model, actions) → the groups that get them.
GRANTS = [
    ("orders", "order", ["view", "add", "change"], ALL),
    ("orders", "abnormalproduct", ["view", "add", "change", "delete"], ALL),
    ("orders", "dutyreport", ["view", "add", "change"], ALL),
    ("orders", "track", ["view", "add"], ALL),
    ("orders", "deduction", ["view"], ALL),
    ("orders", "deduction", ["add", "change", "delete"], ["service", "finance"]),
    ("orders", "journal", ["view"], ALL),
    ("orders", "optionvalue", ["view"], ALL),
    ("orders", "optionvalue", ["add", "change"], SUPERVISORS),
    ("products", "product", ["view"], ALL),
    ("products", "product", ["add", "change"], SUPERVISORS),
    ("suppliers", "supplier", ["view"], ALL),
    ("suppliers", "supplier", ["add", "change"], SUPERVISORS),
    ("auth", "user", ["view"], SUPERVISORS),
]


def _permissions(apps, app_label, model, actions):
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for action in actions]
    found = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
    if len(found) != len(codenames):
        raise RuntimeError(f"Missing permissions for {app_label}.{model}: {codenames}")
    return found


def grant(apps, schema_editor):
    # Django creates permissions after the whole `migrate` run (post_migrate); on a fresh
    # database they do not exist yet at this point, so create them now (idempotent).
    for app_label in ("auth", "orders", "products", "suppliers"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=schema_editor.connection.alias, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for app_label, model, actions, groups in GRANTS:
        permissions = _permissions(apps, app_label, model, actions)
        for name in groups:
            group, _ = Group.objects.get_or_create(name=name)
            group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for app_label, model, actions, groups in GRANTS:
        permissions = _permissions(apps, app_label, model, actions)
        for group in Group.objects.filter(name__in=groups):
            group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0003_idempotency_keys"),
        ("products", "0001_initial"),
        ("suppliers", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
