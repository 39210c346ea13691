"""`manage.py start_schedules`: start the worker's periodic jobs (idempotent; run at start and deploy)."""

from typing import Any

from django.core.management.base import BaseCommand

from notifications import services
from notifications.services.periodic import periodic_jobs


class Command(BaseCommand):
    help = (
        "Start the periodic jobs the background worker runs (webhook delivery sweep, overdue sweep, "
        "task pruning). Jobs already running are left alone; safe to run any number of times."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = services.periodic_start()
        for name, job in periodic_jobs().items():
            state = "started" if name in started else "already running"
            self.stdout.write(f"start_schedules: {name} every {job.interval} — {state}")
