"""On PostgreSQL, a trigram index on rounds' labels, so that the text search (`q`) of the rounds and
participations lists finds rounds by label without reading every round; the other fields it searches
(company and investor names) are read from their own, smaller tables (`portfolio.filters.search_keys`).
"""

from django.db import migrations

INDEX = "rounds_round_label_trigram"


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # The expression the `icontains` lookup compares: UPPER("label"::text) LIKE UPPER(%s).
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS {INDEX} ON rounds_fundinground USING gin ((UPPER("label"::text)) gin_trgm_ops)'
    )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("rounds", "0005_order_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
