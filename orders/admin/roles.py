"""Users and role groups in the back office: the four role groups (`service`, `manager`, `chief`,
`finance` — codes the workflow relies on) are shown by what they mean, 售后专员 / 负责人 / 主管 / 财务."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest

from orders.workflow import ROLE_LABELS


def group_label(group: Group) -> str:
    label = ROLE_LABELS.get(group.name)
    return f"{label}（{group.name}）" if label else group.name


class RoleGroupAdmin(GroupAdmin):
    list_display = ["role", "name"]

    @admin.display(description=Group._meta.verbose_name, ordering="name")
    def role(self, group: Group) -> str:
        return group_label(group)


class RoleUserAdmin(UserAdmin):
    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and field is not None:
            field.label_from_instance = group_label
        return field


admin.site.unregister(Group)
admin.site.register(Group, RoleGroupAdmin)
admin.site.unregister(User)
admin.site.register(User, RoleUserAdmin)
