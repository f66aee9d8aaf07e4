"""Bearer-token authentication for services; people use the admin's session."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from portfolio.models import ApiToken, hash_token

LAST_USED_RESOLUTION = timedelta(minutes=5)


def bearer_token(request) -> str | None:
    """The token an `Authorization: Bearer …` header gives, as text; None without such a header."""
    header = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(header) == 2 and header[0].lower() == "bearer":
        return header[1]
    return None


def active_token(request, plaintext: str) -> ApiToken | None:
    """The active token with this text, looked up once per request (the rate limit reads it first)."""
    looked_up = request.__dict__.setdefault("_api_tokens", {})
    if plaintext not in looked_up:
        tokens = ApiToken.objects.active().select_related("user")
        looked_up[plaintext] = tokens.filter(key_hash=hash_token(plaintext)).first()
    return looked_up[plaintext]


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
        token = active_token(request._request, plaintext)
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
