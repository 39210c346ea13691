"""Role groups and the seeded duty-report option lists."""

from django.db import migrations

ROLES = ["service", "manager", "chief", "finance"]

OPTIONS = {
    "typerank": ["单价", "服务", "货款", "交期", "结算", "其他", "色差", "送货", "损耗", "质量"],
    "reasonrank": ["生产质量把控问题", "不能如期交货", "成品工厂自行采购", "检查方式有误", "质疑质量问题"],
    "dutyrank": ["成品供应商", "材料供应商"],
    "compensationrank": [str(amount) for amount in range(5000, 30001, 5000)],
    "publishmentrank": ["处罚", "不处罚"],
}


def create_roles_and_options(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    OptionValue = apps.get_model("orders", "OptionValue")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    for category, values in OPTIONS.items():
        for position, value in enumerate(values, start=1):
            OptionValue.objects.get_or_create(category=category, value=value, defaults={"position": position})


def remove_options(apps, schema_editor):
    apps.get_model("orders", "OptionValue").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("orders", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_roles_and_options, remove_options),
    ]
