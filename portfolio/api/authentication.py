"""Bearer-token authentication for services; people use the admin's session."""

import functools
from datetime import timedelta

from django.db import connections, router
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
        looked_up[plaintext] = TokenLookup.of(router.db_for_read(ApiToken)).find(hash_token(plaintext))
    return looked_up[plaintext]


class TokenLookup:
    """Finds the active token with a hash, with its user, as `ApiToken.objects.active()` and
    `select_related("user")` would, from SQL written once per process and database: every API request
    looks its token up, and building that query each time was a tenth of a request for one record."""

    @classmethod
    @functools.cache
    def of(cls, using: str) -> "TokenLookup":
        return cls(using)

    def __init__(self, using: str) -> None:
        self.using = using
        connection = connections[using]
        self.user_model = ApiToken._meta.get_field("user").related_model
        self.token_fields = ApiToken._meta.concrete_fields
        self.user_fields = self.user_model._meta.concrete_fields
        tokens, users = ApiToken._meta.db_table, self.user_model._meta.db_table
        columns = [field.get_col(tokens) for field in self.token_fields]
        columns += [field.get_col(users) for field in self.user_fields]
        selected = ", ".join(f"{column.alias}.{column.target.column}" for column in columns)
        self.sql = (
            f"SELECT {selected} FROM {tokens} JOIN {users} ON {users}.id = {tokens}.user_id "
            f"WHERE {tokens}.key_hash = %s AND {tokens}.revoked_at IS NULL AND {users}.is_active"
        )
        # What each value read goes through to become the field's (on SQLite, moments come as text).
        self.converters = [
            (column, [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)])
            for column in columns
        ]

    def find(self, key_hash: str) -> ApiToken | None:
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [key_hash])
            row = cursor.fetchone()
        if row is None:
            return None
        values = []
        for value, (column, converters) in zip(row, self.converters, strict=True):
            for converter in converters:
                value = converter(value, column, connection)
            values.append(value)
        split = len(self.token_fields)
        token = ApiToken.from_db(self.using, [field.attname for field in self.token_fields], values[:split])
        token.user = self.user_model.from_db(
            self.using, [field.attname for field in self.user_fields], values[split:]
        )
        return token


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
