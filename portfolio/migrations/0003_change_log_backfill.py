"""History written before records had versions is numbered, and logged in the change log, oldest first.

Each record's history rows get versions 1, 2, … in the order they were written, and the
record itself the version of its last row, so versions, history and the log agree from the start.
"""

from collections import defaultdict

from django.db import migrations

HISTORICAL_MODELS = {
    "companies": ("Source", "Company", "ModelRelease", "Metric", "KPI"),
    "rounds": ("Investor", "FundingRound", "Participation", "Listing"),
}
ACTIONS = {"+": "created", "~": "updated", "-": "deleted"}


def backfill(apps, schema_editor):
    Change = apps.get_model("portfolio", "Change")
    if Change.objects.exists():
        return
    entries = []
    for app_label, names in HISTORICAL_MODELS.items():
        for name in names:
            model = apps.get_model(app_label, name)
            history = apps.get_model(app_label, f"Historical{name}")
            rows = list(history.objects.order_by("history_date", "history_id"))
            versions = defaultdict(int)
            for row in rows:
                versions[row.id] += 1
                row.version = versions[row.id]
                entries.append(
                    Change(
                        model=f"{app_label}.{name.lower()}",
                        object_id=row.id,
                        history_id=row.history_id,
                        action=ACTIONS[row.history_type],
                        version=row.version,
                        occurred_at=row.history_date,
                        user_id=row.history_user_id,
                    )
                )
            history.objects.bulk_update(rows, ["version"], batch_size=1000)
            records = list(model.objects.filter(pk__in=versions))
            for record in records:
                record.version = versions[record.pk]
            model.objects.bulk_update(records, ["version"], batch_size=1000)
    entries.sort(key=lambda entry: entry.occurred_at)
    Change.objects.bulk_create(entries, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0002_change_log_and_idempotency_keys"),
        ("companies", "0003_record_versions"),
        ("rounds", "0003_record_versions"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
