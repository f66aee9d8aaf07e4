"""One permission class for the API: reading needs `view`, writing needs add, change or delete."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions

from portfolio.models import ApiToken


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django model permissions for every method, and read-only tokens never write.

    Portfolio data is confidential, so even reading needs the `view` permission (the
    viewers group has it), not merely a login.
    """

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request, view) -> bool:
        if request.method not in permissions.SAFE_METHODS and is_read_only_token(request):
            return False
        return super().has_permission(request, view)


def is_read_only_token(request) -> bool:
    return isinstance(request.auth, ApiToken) and request.auth.read_only


class ViewPermissions(permissions.BasePermission):
    """For a read-only view that shows several models: the `view` permission of each is needed."""

    models: tuple = ()

    @classmethod
    def of(cls, *models) -> type["ViewPermissions"]:
        return type("ViewPermissions", (cls,), {"models": models})

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return user.has_perms([f"{m._meta.app_label}.view_{m._meta.model_name}" for m in self.models])


def check_export_permission(request, *models) -> None:
    """An export (every row at once, as a file) needs the `export` permission of each model shown."""
    needed = [f"{m._meta.app_label}.export_{m._meta.model_name}" for m in models]
    if not request.user.has_perms(needed):
        raise exceptions.PermissionDenied(
            _("Exporting needs the export permission: %(permissions)s.") % {"permissions": ", ".join(needed)}
        )
