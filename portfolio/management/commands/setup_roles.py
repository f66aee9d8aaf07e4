"""Create the editors and viewers groups with their permissions; safe to run again."""

from django.core.management import BaseCommand

from portfolio.roles import roles_setup


class Command(BaseCommand):
    help = "Create or update the 'editors' (change everything) and 'viewers' (read only) groups."

    def handle(self, *args, **options) -> None:
        for name, count in roles_setup().items():
            self.stdout.write(f"{name}: {count} permissions")
