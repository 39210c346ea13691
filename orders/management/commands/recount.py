"""`manage.py recount`: compare the live-order counters with `COUNT(*)`; `--repair` fixes drift.

Run it on a schedule (docs/operations.md, "Monitoring"): it exits 1 and logs a warning when a counter drifted,
so a monitoring cron mail or log alert notices; `--repair` sets the drifted counters right."""

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from orders import counters

logger = logging.getLogger("afterservice.counters")


class Command(BaseCommand):
    help = "Check the live-order totals against the orders; --repair sets drifted counters right."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--repair", action="store_true", help="set every drifted counter to the real count")

    def handle(self, *args: Any, repair: bool = False, **options: Any) -> None:
        drifts = counters.recount(repair=repair)
        for drift in drifts:
            line = f"{drift.status}/{drift.workflow_status}: counter {drift.counted}, orders {drift.actual}"
            self.stdout.write(line + (" (repaired)" if repair else ""))
        if not drifts:
            self.stdout.write("recount: every counter matches the orders")
            return
        logger.warning("recount: %d counter(s) drifted%s", len(drifts), " and were repaired" if repair else "")
        if not repair:
            raise CommandError(f"recount: {len(drifts)} counter(s) drifted; run `manage.py recount --repair`")
        self.stdout.write(f"recount: {len(drifts)} counter(s) repaired")
