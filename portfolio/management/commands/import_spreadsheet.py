"""Import a CSV, Excel or JSON file of any size into one list, as the admin's import does.

The same columns, checks, row errors and history as the admin (the list's resource in
`companies/resources.py` or `rounds/resources.py`), without a web request's time limits: all
rows or none, in one transaction; with `--dry-run`, only the report. Progress is printed every
`--progress` rows. Exits with status 1, writing nothing, when any row is invalid.
"""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError
from import_export.formats.base_formats import CSV, JSON, XLSX

from portfolio.api.urls import router

FORMATS = {"csv": CSV, "xlsx": XLSX, "json": JSON}
# How many invalid rows are listed before the rest are only counted.
SHOWN_ERRORS = 50


def resources() -> dict[str, type]:
    """Each list by its API name (`rounds`, `model-releases`, …) and its import resource."""
    return {prefix: viewset.export_resource for prefix, viewset, _basename in router.registry}


class Command(BaseCommand):
    help = "Import FILE (CSV, XLSX or JSON) into a list, with the admin's checks, row errors and history."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--model", required=True, choices=sorted(resources()), help="The list to import into."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report every row; write nothing."
        )
        parser.add_argument(
            "--format", choices=sorted(FORMATS), help="The file's format (default: from its extension)."
        )
        parser.add_argument("--user", help="The username the records' history names as the author.")
        parser.add_argument("--progress", type=int, default=1000, help="Print progress every N rows.")

    def handle(
        self, *args, file: Path, model: str, dry_run: bool, user: str | None, progress: int, **options
    ):
        extension = options["format"] or file.suffix.lower().lstrip(".")
        if extension not in FORMATS:
            raise CommandError(f"Give --format: {file.name} is not named .csv, .xlsx or .json.")
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        author = self.author(user)
        file_format = FORMATS[extension]()
        content = file.read_bytes() if file_format.is_binary() else file.read_text(encoding="utf-8-sig")
        try:
            dataset = file_format.create_dataset(content)
        except Exception as error:  # tablib raises many kinds for a file it cannot read
            raise CommandError(f"{file.name} cannot be read as {extension}: {error}") from error

        resource = resources()[model]()
        total, started = len(dataset), time.monotonic()
        self.stdout.write(f"{file.name}: {total:,} rows into {model}{' (dry run)' if dry_run else ''}")

        def report(number: int) -> None:
            if number % progress == 0 or number == total:
                rate = number / max(time.monotonic() - started, 1e-6)
                self.stdout.write(f"  {number:,} / {total:,} rows checked ({rate:,.0f} rows/s)")

        resource.on_row_imported = report
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            rollback_on_validation_errors=True,
            file_name=file.name,
            file_format=extension,
            user=author,
        )
        self.report_errors(result)
        totals = ", ".join(f"{count:,} {kind}" for kind, count in result.totals.items() if count)
        done = "checked, nothing written" if dry_run else "imported"
        self.stdout.write(
            self.style.SUCCESS(f"{done}: {totals or 'no rows'} in {time.monotonic() - started:.1f} s")
        )

    def author(self, username: str | None):
        if username is None:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None

    def report_errors(self, result) -> None:
        messages = [str(error.error) for error in result.base_errors]
        for row in result.invalid_rows[:SHOWN_ERRORS]:
            for column, errors in row.error_dict.items():
                messages.append(f"row {row.number}, {column}: {' '.join(map(str, errors))}")
        for number, errors in result.row_errors()[:SHOWN_ERRORS]:
            messages += [f"row {number}: {error.error}" for error in errors]
        if not messages:
            return
        for message in messages:
            self.stderr.write(message)
        invalid = len(result.invalid_rows) + len(result.row_errors())
        more = f" ({invalid - SHOWN_ERRORS:,} more rows not listed)" if invalid > SHOWN_ERRORS else ""
        raise CommandError(f"Nothing was imported: {invalid:,} rows are invalid{more}.")
