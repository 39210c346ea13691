"""The database cache table is gone: throttle counters live in the `throttle` cache (Redis or the
worker's memory) and nothing else cached in the database. Databases migrated before keep a
`afterservice_cache` table from the old 0002; drop it (new databases never had it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_order_filter_indexes")]

    operations = [migrations.RunSQL("DROP TABLE IF EXISTS afterservice_cache", migrations.RunSQL.noop)]
