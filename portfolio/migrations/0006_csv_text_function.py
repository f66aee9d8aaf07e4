"""`portfolio_csv_text(text)` on PostgreSQL: text as a CSV export's cell, for exports that PostgreSQL
writes itself (`COPY … TO STDOUT`, `portfolio.api.exports.copy_csv_chunks`).

It does what `portfolio.api.exports.csv_text` does to text: drops the control characters a
spreadsheet cannot hold, and puts an apostrophe before text that a spreadsheet would run as a formula
(`portfolio.spreadsheets`); empty text becomes NULL, which COPY writes as an empty cell, as Python's
csv module does, rather than as "".
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION portfolio_csv_text(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NULLIF(
        regexp_replace(
            regexp_replace(value, '[\x01-\x08\x0b\x0c\x0e-\x1f]', '', 'g'),
            '^([=+\-@\t\r''])',
            '''\1'
        ),
        ''
    )
$$
"""
DROP = "DROP FUNCTION IF EXISTS portfolio_csv_text(text)"


def run(sql: str):
    def operation(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0005_rate_counters_unlogged")]

    operations = [migrations.RunPython(run(CREATE), run(DROP), elidable=False)]
