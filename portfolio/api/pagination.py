"""Pagination of every list: page numbers, or a cursor (keyset) for deep and stable paging.

`page` and `page_size` (default 50, at most 1000) answer with count, next, previous and results;
`count=false` skips the count, which on a large filtered list costs as much as the page. `cursor`
(empty for the first page) answers with next, previous and results: each page continues from the
sort key of the last row seen, so page 1000 costs what page 1 does, and rows written meanwhile
neither repeat nor go missing. Both give `next` and `previous` as a `Link` header too.

A page is first read as the ids of its records, in order, by one query over the filtered list
(no joins beyond those of its filters); the view then reads those records as it shows them.
Bad values of any parameter are refused, never guessed at.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import InvalidPage, Paginator
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

AFTER, BEFORE = "n", "p"


def positive_int_param(request, name: str, *, maximum: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [_("Enter a whole number.")]}) from None
    if value < 1:
        raise ValidationError({name: [_("Must be at least 1.")]})
    if maximum is not None and value > maximum:
        raise ValidationError({name: [_("Must be at most %(maximum)d.") % {"maximum": maximum}]})
    return value


def ordered_uniquely(queryset: QuerySet) -> QuerySet:
    """The queryset with ties in its ordering broken by id, the same way round as its last field (as an
    index reads them), so that pages and exports list its records in one order."""
    ordering = [str(term) for term in queryset.query.order_by]
    if ordering and not {term.lstrip("-") for term in ordering} & {"pk", "id"}:
        return queryset.order_by(*ordering, "-pk" if ordering[-1].startswith("-") else "pk")
    return queryset


@dataclass(frozen=True)
class SortKey:
    """The order of a cursor's pages: one field (nulls last going up, first going down, as PostgreSQL's
    indexes keep them), then the primary key in the same direction, so every row has one place."""

    field: str
    descending: bool

    @classmethod
    def of(cls, queryset: QuerySet) -> SortKey:
        ordering = [str(term) for term in queryset.query.order_by] or ["pk"]
        names = [term.lstrip("-") for term in ordering]
        if len(ordering) > 2 or (len(ordering) == 2 and names[1] not in ("pk", "id")):
            raise ValidationError({"ordering": [_("A cursor pages through one ordering field at a time.")]})
        field = "pk" if names[0] == "id" else names[0]
        return cls(field=field, descending=ordering[0].startswith("-"))

    @property
    def by_pk(self) -> bool:
        return self.field == "pk"

    def order(self, *, reverse: bool = False) -> list:
        descending = self.descending != reverse
        if self.by_pk:
            return ["-pk" if descending else "pk"]
        field = F(self.field)
        first = field.desc(nulls_first=True) if descending else field.asc(nulls_last=True)
        return [first, "-pk" if descending else "pk"]

    def beyond(self, key: Sequence, *, reverse: bool = False) -> Q:
        """The rows after `key` in this order (before it, with `reverse`)."""
        descending = self.descending != reverse
        pk_beyond = Q(pk__lt=key[-1]) if descending else Q(pk__gt=key[-1])
        if self.by_pk:
            return pk_beyond
        value, beyond = key[0], "lt" if descending else "gt"
        is_null = Q(**{f"{self.field}__isnull": True})
        if value is None:
            # Nulls come last going up (nothing but nulls after one), first going down.
            return (is_null & pk_beyond) | (~is_null if descending else Q(pk__in=[]))
        past = Q(**{f"{self.field}__{beyond}": value}) | (Q(**{self.field: value}) & pk_beyond)
        return past if descending else past | is_null

    def columns(self) -> list[str]:
        return ["pk"] if self.by_pk else [self.field, "pk"]


class PortfolioPagination(pagination.BasePagination):
    """Page numbers (`page`, `page_size`, `count=false`) or a cursor (`cursor`, `page_size`).

    `paginate_queryset` answers the page's primary keys in order; the view reads the records.
    """

    page_size = 50
    max_page_size = 1000
    page_query_param = "page"
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    count_query_param = "count"

    def query_parameters(self) -> set[str]:
        return {
            self.page_query_param,
            self.page_size_query_param,
            self.cursor_query_param,
            self.count_query_param,
        }

    def get_page_size(self, request) -> int:
        return (
            positive_int_param(request, self.page_size_query_param, maximum=self.max_page_size)
            or self.page_size
        )

    def wants_count(self, request) -> bool:
        raw = request.query_params.get(self.count_query_param)
        if raw is None:
            return True
        if raw not in ("true", "false"):
            raise ValidationError({self.count_query_param: [_("Give true or false.")]})
        return raw == "true"

    def by_cursor(self, request) -> bool:
        return self.cursor_query_param in request.query_params

    def validate_parameters(self, request) -> None:
        """Checks every parameter even where unused (an export), so a typo is never silent."""
        self.get_page_size(request)
        positive_int_param(request, self.page_query_param)
        counting = self.wants_count(request)
        if self.by_cursor(request):
            if self.page_query_param in request.query_params:
                raise ValidationError(
                    {self.cursor_query_param: [_("Give a page number or a cursor, not both.")]}
                )
            if self.count_query_param in request.query_params and counting:
                raise ValidationError({self.count_query_param: [_("A cursor's pages give no count.")]})
            self.decode_cursor(request.query_params[self.cursor_query_param])

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        self.validate_parameters(request)
        self.request = request
        self.page_size_now = self.get_page_size(request)
        if self.by_cursor(request):
            return self.cursor_page(queryset, request)
        return self.numbered_page(queryset, request)

    # Page numbers

    def numbered_page(self, queryset: QuerySet, request) -> list:
        self.cursor_mode = False
        number = positive_int_param(request, self.page_query_param) or 1
        keys = ordered_uniquely(queryset).values_list("pk", flat=True)
        size = self.page_size_now
        if self.wants_count(request):
            try:
                page = Paginator(keys, size).page(number)
            except InvalidPage:
                raise NotFound(_("Invalid page.")) from None
            self.count, ids = page.paginator.count, list(page.object_list)
            self.has_next, self.has_previous = page.has_next(), page.has_previous()
        else:
            ids = list(keys[(number - 1) * size : number * size + 1])
            if number > 1 and not ids:
                raise NotFound(_("Invalid page."))
            self.count, self.has_next, self.has_previous = None, len(ids) > size, number > 1
            ids = ids[:size]
        self.page_number = number
        return ids

    # Cursors

    def cursor_page(self, queryset: QuerySet, request) -> list:
        self.cursor_mode = True
        sort = SortKey.of(queryset)
        direction, key = self.decode_cursor(request.query_params[self.cursor_query_param])
        if key is not None:
            key = self.key_values(queryset, sort, key)
        reverse = direction == BEFORE
        rows = queryset.order_by(*sort.order(reverse=reverse))
        if key is not None:
            rows = rows.filter(sort.beyond(key, reverse=reverse))
        size = self.page_size_now
        keys = [tuple(row) for row in rows.values_list(*sort.columns())[: size + 1]]
        more = len(keys) > size
        keys = keys[:size]
        if reverse:
            keys.reverse()
            self.has_previous, self.has_next = more, bool(keys)
        else:
            # An empty page (its rows deleted since the link was given) leads nowhere.
            self.has_previous, self.has_next = key is not None and bool(keys), more
        self.first_key = keys[0] if keys else key
        self.last_key = keys[-1] if keys else key
        return [row[-1] for row in keys]

    def decode_cursor(self, token: str) -> tuple[str, list | None]:
        if token == "":
            return AFTER, None
        try:
            padded = token + "=" * (-len(token) % 4)
            decoded = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            direction, *key = decoded
            if direction not in (AFTER, BEFORE) or not 1 <= len(key) <= 2:
                raise ValueError(decoded)
        except (ValueError, TypeError, UnicodeEncodeError, binascii.Error, orjson.JSONDecodeError):
            raise ValidationError({self.cursor_query_param: [_("Invalid cursor.")]}) from None
        return direction, key

    def key_values(self, queryset: QuerySet, sort: SortKey, key: list) -> list:
        """The cursor's key as the sort fields' values; a key of another ordering is refused."""
        fields = [queryset.model._meta.get_field(name) for name in sort.columns() if name != "pk"]
        fields.append(queryset.model._meta.pk)
        if len(key) != len(fields) or not isinstance(key[-1], int) or isinstance(key[-1], bool):
            raise ValidationError({self.cursor_query_param: [_("Invalid cursor.")]})
        try:
            return [None if v is None else field.to_python(v) for field, v in zip(fields, key, strict=True)]
        except (DjangoValidationError, TypeError, ValueError):
            raise ValidationError({self.cursor_query_param: [_("Invalid cursor.")]}) from None

    @staticmethod
    def encode_cursor(direction: str, key: tuple) -> str:
        values = [value if value is None or isinstance(value, int) else str(value) for value in key]
        return base64.urlsafe_b64encode(orjson.dumps([direction, *values])).rstrip(b"=").decode("ascii")

    # Links and the answer

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        if self.cursor_mode:
            return replace_query_param(url, self.cursor_query_param, self.encode_cursor(AFTER, self.last_key))
        return replace_query_param(url, self.page_query_param, self.page_number + 1)

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        url = self.request.build_absolute_uri()
        if self.cursor_mode:
            return replace_query_param(
                url, self.cursor_query_param, self.encode_cursor(BEFORE, self.first_key)
            )
        if self.page_number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.page_number - 1)

    def get_paginated_response(self, data) -> Response:
        next_link, previous_link = self.get_next_link(), self.get_previous_link()
        body = {"next": next_link, "previous": previous_link, "results": data}
        if not self.cursor_mode:
            body = {"count": self.count, **body}
        links = [
            f'<{url}>; rel="{rel}"' for url, rel in ((next_link, "next"), (previous_link, "prev")) if url
        ]
        return Response(body, headers={"Link": ", ".join(links)} if links else None)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "nullable": True,
                    "description": str(_("Matching records; null with count=false; absent with a cursor.")),
                    "example": 123,
                },
                "next": link,
                "previous": link,
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        def parameter(name: str, description, schema: dict) -> dict:
            return {
                "name": name,
                "required": False,
                "in": "query",
                "description": str(description),
                "schema": schema,
            }

        return [
            parameter(self.page_query_param, _("A page number."), {"type": "integer", "minimum": 1}),
            parameter(
                self.page_size_query_param,
                _("Records per page."),
                {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            ),
            parameter(
                self.cursor_query_param,
                _(
                    "Page by cursor instead of number: empty for the first page, then the cursor of "
                    "a next or previous link."
                ),
                {"type": "string"},
            ),
            parameter(
                self.count_query_param,
                _("false skips counting the matching records (page numbers only)."),
                {"type": "string", "enum": ["true", "false"]},
            ),
        ]
