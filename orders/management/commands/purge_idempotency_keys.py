"""`manage.py purge_idempotency_keys`: deletes expired Idempotency-Key records (daily cron)."""

from typing import Any

from django.core.management.base import BaseCommand

from orders import idempotency


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than AFTERSERVICE_IDEMPOTENCY_TTL_HOURS."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"purge_idempotency_keys: {idempotency.purge_expired()} expired key(s) deleted")
