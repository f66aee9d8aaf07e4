#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
    if sys.argv[1:2] != ["runserver"]:
        # The database timeouts guard requests; a command (a migration, an import of any size, a
        # seed) may wait on long statements, so it runs without them unless the environment sets them.
        os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
