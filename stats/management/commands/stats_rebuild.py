"""`manage.py stats_rebuild`: derives the statistics tables again from every live order and its journal."""

from django.core.management.base import BaseCommand

from stats.services import figures_rebuild


class Command(BaseCommand):
    help = "Rebuild the statistics tables (stats/) from the orders and their journal."

    def handle(self, *args, **options):
        orders, stays = figures_rebuild()
        self.stdout.write(f"statistics rebuilt: {orders} orders, {stays} completed stays")
