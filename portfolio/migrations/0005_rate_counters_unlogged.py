"""Rate counters skip PostgreSQL's write-ahead log: a count is kept for a minute and need not survive a
crash, and a logged table made every API request wait for a commit to reach the disk (4 to 10 ms)."""

from django.db import migrations


def table_logged(logged: bool):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(apps.get_model("portfolio", "RateCounter")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} SET {'LOGGED' if logged else 'UNLOGGED'}")

    return run


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0004_rate_counters")]

    operations = [migrations.RunPython(table_logged(False), table_logged(True), elidable=False)]
