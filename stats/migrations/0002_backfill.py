"""Filled the statistics tables from the orders already in the database; 0003 does it now, for
every statistics table (the rebuild writes tables this migration's state does not have yet)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop, elidable=True)]
