"""Issue an API token for a user and print it once."""

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError

from portfolio.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it. Only its hash is stored: it cannot be shown again."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--read-only", action="store_true", help="The token can read but never write.")
        parser.add_argument(
            "--name", default="", help="What or who uses the token, to recognise it in the admin."
        )

    def handle(self, *args, username: str, read_only: bool, name: str, **options) -> None:
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        _, plaintext = ApiToken.issue(user=user, read_only=read_only, name=name)
        self.stdout.write(plaintext)
