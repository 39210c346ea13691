"""`manage.py import_suppliers CSV`: upsert suppliers and their specialists by name (all or nothing)."""

from typing import Any

from django.contrib.auth import get_user_model

from afterservice_site.csv_import import CsvImportCommand, Row
from suppliers.models import Supplier

# Usernames per IN (...) lookup: below SQLite's 999-parameter limit.
USERNAME_CHUNK = 500


class Command(CsvImportCommand):
    help = (
        "Import suppliers from a UTF-8 CSV with header name,role,specialist,is_logistic, upserting by name. "
        "specialist is a username (empty: none); is_logistic is 0/1, true/false or 是/否 (empty: no). "
        "Any bad row: each is reported with its line number and nothing is imported."
    )
    model = Supplier
    key = "name"
    columns = ("name", "role", "specialist", "is_logistic")
    label = "suppliers"

    def prepare(self, rows: list[Row]) -> None:
        """Look up every named specialist at once: username → user id, active users only."""
        usernames = sorted({row.values["specialist"] for row in rows} - {""})
        users = get_user_model()._default_manager.filter(is_active=True)
        self.specialist_ids: dict[str, int] = {}
        for i in range(0, len(usernames), USERNAME_CHUNK):
            chunk = usernames[i : i + USERNAME_CHUNK]
            self.specialist_ids.update(users.filter(username__in=chunk).values_list("username", "pk"))

    def clean_row(self, row: Row) -> dict[str, Any]:
        """An empty specialist clears the supplier's specialist; an unknown or inactive user is an error."""
        # Checked in column order so a row's problems read left to right.
        name = row.text("name", required=True)
        role = row.text("role")
        username = row.values["specialist"]
        specialist_id = self.specialist_ids.get(username)
        if username and specialist_id is None:
            row.problems.append(f"specialist {username!r} is not an active user")
        return {"name": name, "role": role, "specialist_id": specialist_id, "is_logistic": row.flag("is_logistic")}
