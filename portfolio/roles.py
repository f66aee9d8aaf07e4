"""The two staff roles: editors change, import and export everything; viewers read and export."""

from django.contrib.auth.models import Group, Permission

from portfolio.values import PORTFOLIO_APPS

ROLE_ACTIONS = {
    "editors": ("view", "add", "change", "delete", "import", "export"),
    "viewers": ("view", "export"),
}


def role_permissions(actions: tuple[str, ...]) -> list[Permission]:
    prefixes = tuple(f"{action}_" for action in actions)
    permissions = Permission.objects.filter(content_type__app_label__in=PORTFOLIO_APPS)
    # History rows are written by the system and read through their record, never edited directly.
    return [p for p in permissions if p.codename.startswith(prefixes) and "_historical" not in p.codename]


def roles_setup() -> dict[str, int]:
    """Create or update the role groups so they hold exactly their permissions; returns the counts."""
    counts = {}
    for name, actions in ROLE_ACTIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = role_permissions(actions)
        group.permissions.set(permissions)
        counts[name] = len(permissions)
    return counts
