"""Bearer-token authentication for services; people use the admin's session."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from portfolio.models import ApiToken, hash_token

LAST_USED_RESOLUTION = timedelta(minutes=5)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`, checked against the stored hashes of active tokens."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after 'Bearer', with no spaces in it."))
        try:
            plaintext = header[1].decode()
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
        token = (
            ApiToken.objects.active().select_related("user").filter(key_hash=hash_token(plaintext)).first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        self.mark_used(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'

    @staticmethod
    def mark_used(token: ApiToken) -> None:
        """Record use at a coarse resolution, so reads do not each cost a write."""
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
