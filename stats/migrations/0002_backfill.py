"""Fills the statistics tables from the orders already in the database (set-based SQL)."""

from django.db import migrations


def backfill(apps, schema_editor):
    # The current rebuild: it reads the orders' own tables, named through their models.
    from stats.services import figures_rebuild

    figures_rebuild()


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
