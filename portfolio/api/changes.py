"""`/api/v1/changes/`: every create, update and delete of every resource, in commit order.

A service that mirrors the records pages through the feed with the opaque `cursor` each page
returns and applies each entry in order; deletions are entries too, which `updated_since` can
never show. Entries come from the change log (`portfolio.changes`), whose order is the order
in which the writes committed, so a cursor resumes exactly where the last page ended, with
nothing skipped or repeated while others write. A user sees the entries of the resources they
may read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Model, prefetch_related_objects
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from fx.serializers import ConvertedAmountField
from portfolio.api.viewsets import reject_unknown_parameters
from portfolio.changes import CURSOR_PATTERN, changes_after, cursor_decode, cursor_encode
from portfolio.models import Change, ChangeAction

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class FeedResource:
    """A resource of the API as the feed shows it: its URL name, model, serializer and key."""

    name: str
    model: type[Model]
    serializer_class: type[serializers.Serializer]
    lookup_field: str
    prefetch: tuple = ()

    @classmethod
    def of(cls, prefix: str, viewset) -> FeedResource:
        """The resource of a viewset; its records' nested lists are fetched as its queryset fetches them."""
        queryset = viewset.queryset
        prefetch = tuple(queryset._prefetch_related_lookups)  # e.g. a round's participations, ordered
        return cls(prefix, queryset.model, viewset.serializer_class, viewset.lookup_field, prefetch)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def view_permission(self) -> str:
        return f"{self.model._meta.app_label}.view_{self.model._meta.model_name}"

    def record_serializer(self, request) -> serializers.Serializer:
        """The resource's serializer without the values it computes from other records (a company's
        `in_portfolio`, amounts converted at the rates of the day): they follow other records, whose
        changes are entries of theirs, and a record's history may outlive them."""
        serializer = self.serializer_class(context={"request": request})
        without_computed_fields(serializer)
        return serializer


def without_computed_fields(serializer: serializers.Serializer) -> None:
    for name, field in list(serializer.fields.items()):
        if isinstance(field, serializers.SerializerMethodField | ConvertedAmountField):
            del serializer.fields[name]
        elif isinstance(field, serializers.ListSerializer) and isinstance(
            field.child, serializers.Serializer
        ):
            without_computed_fields(field.child)
        elif isinstance(field, serializers.Serializer):
            without_computed_fields(field)


class ChangeAuthorSerializer(serializers.Serializer):
    user = serializers.CharField(allow_null=True, help_text="The username, null for a deleted user.")
    token = serializers.CharField(allow_null=True, help_text="The API token's name; null in the admin.")


class ChangeSerializer(serializers.Serializer):
    """One change of one record."""

    cursor = serializers.CharField(help_text="Resume after this entry with `?after=` this cursor.")
    resource = serializers.CharField(help_text="The resource, as in its URL: companies, rounds, …")
    id = serializers.IntegerField(help_text="The record's id, which never changes.")
    slug = serializers.CharField(
        allow_null=True, help_text="For companies and investors, the slug the record had then."
    )
    action = serializers.ChoiceField(choices=ChangeAction.choices)
    version = serializers.IntegerField(help_text="The record's version after the change (its ETag).")
    time = serializers.DateTimeField()
    author = ChangeAuthorSerializer()
    record = serializers.DictField(
        allow_null=True,
        help_text=(
            "For created and updated, the record as the resource's detail shows it after this change; "
            "null for deleted. Its own fields are as this change left them; what it shows of other "
            "records (names, a round's participations) is as they are when the page is read. Every "
            "change to a round's participations is an entry of the round too. A company's "
            "`in_portfolio` is left out: it follows other records."
        ),
    )


FEED_PARAMETERS = [
    OpenApiParameter(
        "after",
        {"type": "string", "pattern": CURSOR_PATTERN},
        description="A cursor from an earlier page (its `cursor` or an entry's); without it, from the start.",
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        description=f"Entries per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
    ),
]


class ChangeFeedView(APIView):
    """Every create, update and delete of the resources you may read, oldest first, in commit order."""

    permission_classes = [IsAuthenticated]
    resources: tuple[FeedResource, ...] = ()

    @extend_schema(
        parameters=FEED_PARAMETERS,
        responses=inline_serializer(
            "ChangeFeed",
            {
                "results": ChangeSerializer(many=True),
                "cursor": serializers.CharField(
                    help_text="Where this page ended: pass it as `after` to get what came next."
                ),
                "next": serializers.URLField(
                    allow_null=True, help_text="The next page, while more entries are waiting; else null."
                ),
            },
        ),
    )
    def get(self, request):
        reject_unknown_parameters(request, allowed={"after", "page_size"})
        after, page_size = self.position(request)
        readable = {r.label: r for r in self.resources if request.user.has_perm(r.view_permission)}
        if not readable:
            raise PermissionDenied(_("Reading changes needs the view permission of at least one resource."))
        entries = changes_after(seq=after, models=readable, limit=page_size + 1)
        more = len(entries) > page_size
        entries = entries[:page_size]
        cursor = cursor_encode(entries[-1].seq if entries else after)
        next_url = None
        if more:
            query = urlencode({"after": cursor, "page_size": page_size})
            next_url = request.build_absolute_uri(f"{request.path}?{query}")
        results = self.represent(request, entries, readable)
        return Response({"results": results, "cursor": cursor, "next": next_url})

    @staticmethod
    def position(request) -> tuple[int, int]:
        errors, after, page_size = {}, 0, DEFAULT_PAGE_SIZE
        if "after" in request.query_params:
            try:
                after = cursor_decode(request.query_params["after"])
            except ValueError:
                errors["after"] = [_("Not a cursor of this feed: pass back a `cursor` it returned.")]
        if "page_size" in request.query_params:
            text = request.query_params["page_size"]
            if not (text.isdigit() and 1 <= int(text) <= MAX_PAGE_SIZE):
                errors["page_size"] = [_("Give a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]
            else:
                page_size = int(text)
        if errors:
            raise ValidationError(errors)
        return after, page_size

    @staticmethod
    def represent(request, entries: list[Change], readable: dict[str, FeedResource]) -> list[dict]:
        """Each entry with its record as written, read from the history in a few queries per resource."""
        by_model: dict[str, list[Change]] = defaultdict(list)
        for entry in entries:
            by_model[entry.model].append(entry)
        rows: dict[tuple[str, int], Model] = {}
        records: dict[tuple[str, int], dict] = {}
        for label, changes in by_model.items():
            resource = readable[label]
            history = resource.model.history.model
            found = history.objects.filter(history_id__in=[c.history_id for c in changes])
            rows.update({(label, row.history_id): row for row in found})
            written = [
                rows[(label, c.history_id)]
                for c in changes
                if c.action != ChangeAction.DELETED and (label, c.history_id) in rows
            ]
            instances = [row.instance for row in written]
            relations = [f.name for f in resource.model._meta.concrete_fields if f.is_relation]
            prefetch_related_objects(instances, *relations, *resource.prefetch)
            serializer = resource.record_serializer(request)
            for row, instance in zip(written, instances, strict=True):
                records[(label, row.history_id)] = serializer.to_representation(instance)
        results = []
        for entry in entries:
            resource = readable[entry.model]
            row = rows.get((entry.model, entry.history_id))
            slug = getattr(row, "slug", None) if resource.lookup_field == "slug" else None
            results.append(
                {
                    "cursor": cursor_encode(entry.seq),
                    "resource": resource.name,
                    "id": entry.object_id,
                    "slug": slug,
                    "action": entry.action,
                    "version": entry.version,
                    "time": serializers.DateTimeField().to_representation(entry.occurred_at),
                    "author": {
                        "user": entry.user.get_username() if entry.user else None,
                        "token": entry.token_name or None,
                    },
                    "record": records.get((entry.model, entry.history_id)),
                }
            )
        return results


def feed_resources(registry) -> tuple[FeedResource, ...]:
    """The feed's resources: those of the API's router, under the names of their URLs."""
    return tuple(FeedResource.of(prefix, viewset) for prefix, viewset, _basename in registry)
