"""`manage.py mark_overdue`: the overdue sweep, for cron (safe to run repeatedly and concurrently)."""

import argparse
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from orders import services


def _positive(value: str) -> int:
    hours = int(value)
    if hours < 1:
        raise argparse.ArgumentTypeError(f"must be a positive number of hours, not {value}")
    return hours


class Command(BaseCommand):
    help = "Mark in-progress orders whose current step is older than the SLA as overdue."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--hours",
            type=_positive,
            default=None,
            help=f"SLA in hours (default AFTERSERVICE_STEP_SLA_HOURS = {settings.AFTERSERVICE_STEP_SLA_HOURS}).",
        )

    def handle(self, *args: Any, hours: int | None = None, **options: Any) -> None:
        marked = services.orders_mark_overdue(sla_hours=hours)
        self.stdout.write(f"mark_overdue: {marked} order(s) marked overdue")
