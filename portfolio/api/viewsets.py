"""The one viewset shape every resource uses: explicit queryset, filterset, strict parameters, exports."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import status, viewsets
from rest_framework.exceptions import NotAcceptable, ValidationError
from rest_framework.response import Response

from portfolio.api.conditional import check_if_match, not_modified, record_etag, version_etag
from portfolio.api.exports import (
    CSV,
    EXPORT_FORMATS,
    accepted_export_format,
    copy_csv_response,
    export_response,
    requested_export_format,
)
from portfolio.api.idempotency import IDEMPOTENCY_KEY, idempotency_claim, idempotency_store, requested_key
from portfolio.api.pagination import ordered_uniquely
from portfolio.api.permissions import check_export_permission
from portfolio.api.renderers import JSONRenderer
from portfolio.filters import FilterBackend, query_parameter_names
from portfolio.resources import PortfolioResource
from portfolio.values import ID_PATTERN
from portfolio.versioning import serialize_writes

EXPORT_ITERATOR_CHUNK = 500
# Writes to one record: the row is locked, and If-Match checked, before anything is changed.
RECORD_WRITE_METHODS = ("PUT", "PATCH", "DELETE")


def reject_unknown_parameters(request, *, allowed: set[str]) -> None:
    """A mistyped or repeated parameter must fail loudly, not be silently ignored or overridden."""
    errors = {name: [_("Unknown query parameter.")] for name in request.query_params if name not in allowed}
    for name, values in request.query_params.lists():
        if len(values) > 1 and name not in errors:
            errors[name] = [_("Give this parameter once; separate several values with commas.")]
    if errors:
        raise ValidationError(dict(sorted(errors.items())))


class TransactionPerWrite:
    """A view whose writes are each one transaction and whose reads take none: under READ COMMITTED each
    statement sees its own snapshot either way, so a read's transaction would only add BEGIN and COMMIT.
    A read inside someone's transaction (a test's) takes a savepoint, so its error answer rolls back
    only itself."""

    @classmethod
    def as_view(cls, *args, **initkwargs):
        return transaction.non_atomic_requests(super().as_view(*args, **initkwargs))

    def dispatch(self, request, *args, **kwargs):
        # OPTIONS is no read here: DRF describes the writes by looking the record up as a write would.
        reading = request.method in ("GET", "HEAD")
        if reading and not transaction.get_connection().in_atomic_block:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)


class PortfolioViewSet(TransactionPerWrite, viewsets.ModelViewSet):
    """A resource of the API.

    Subclasses declare `queryset` (with its select/prefetch_related), `serializer_class`,
    `filterset_class`, `export_basename` and `export_resource`. Lists refuse unknown query parameters (a
    mistyped filter must not silently return everything) and answer `format=csv|xlsx|json`
    (or an `Accept: text/csv` or XLSX header) with every matching row, unpaginated.

    Records carry their version as a strong ETag. A write to a record locks its row first,
    so concurrent writes apply one after the other, each to the current record; with
    `If-Match` a write to any other version is refused with 412. A GET with `If-None-Match`
    naming the current version answers 304. A POST may carry an `Idempotency-Key`.
    """

    filter_backends = [FilterBackend]
    export_basename: str = "export"
    # The list's spreadsheet columns (CSV and XLSX): its import resource, the one definition of them.
    export_resource: type[PortfolioResource]
    export_formats = EXPORT_FORMATS
    lookup_value_regex = ID_PATTERN

    # Parameters and content negotiation

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.check_query_parameters(request)

    def allowed_query_parameters(self) -> set[str]:
        if self.action != "list":
            return set()
        allowed = {"format"}
        if self.paginator is not None:
            allowed |= self.paginator.query_parameters()
        if getattr(self, "filterset_class", None) is not None:
            allowed |= query_parameter_names(self.filterset_class)
        return allowed

    def check_query_parameters(self, request) -> None:
        reject_unknown_parameters(request, allowed=self.allowed_query_parameters())
        if self.action in ("update", "partial_update", "destroy") and IDEMPOTENCY_KEY in request.headers:
            raise ValidationError(
                {
                    IDEMPOTENCY_KEY: [
                        _("Only a POST takes an Idempotency-Key; PUT, PATCH and DELETE take If-Match.")
                    ]
                }
            )

    # One record: versions, locks and conditional requests

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.method in RECORD_WRITE_METHODS:
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def get_object(self):
        """The record, locked for a write (after the lock that orders writers), its If-Match checked."""
        writing = self.request.method in RECORD_WRITE_METHODS
        if writing:
            serialize_writes(router.db_for_write(self.queryset.model))
        instance = super().get_object()
        if writing:
            check_if_match(self.request, instance)
        return instance

    def retrieve(self, request, *args, **kwargs):
        # Read as the list reads its records, not through get_object(): no resource has object-level
        # permissions (they are per model, checked in initial()); one that gains them must check here.
        lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        if self.lookup_field == "pk":  # the URL's pattern (ID_PATTERN) takes only ids a column can hold
            records = self.read_records(self.get_queryset(), [int(lookup)])
        else:
            records = self.read_records(self.get_queryset().filter(**{self.lookup_field: lookup}))
        if not records:
            raise Http404
        record = records[0]
        headers = {"ETag": version_etag(record["version"])}
        if not_modified(request, record["version"]):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(record, headers=headers)

    def create(self, request, *args, **kwargs):
        key = requested_key(request)
        claim = idempotency_claim(request, key) if key is not None else None
        if isinstance(claim, HttpResponse):
            return claim
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        instance = serializer.instance
        location = self.reverse_action("detail", args=[getattr(instance, self.lookup_field)])
        headers = {"ETag": record_etag(instance), "Location": location}
        response = Response(serializer.data, status=status.HTTP_201_CREATED, headers=headers)
        if claim is not None:
            idempotency_store(claim, response)
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        if getattr(instance, "_prefetched_objects_cache", None):
            instance._prefetched_objects_cache = {}
        return Response(serializer.data, headers={"ETag": record_etag(serializer.instance)})

    def perform_content_negotiation(self, request, force=False):
        """Accept headers asking for an export are answered by `list`; errors then come as JSON."""
        try:
            return super().perform_content_negotiation(request, force)
        except NotAcceptable:
            if accepted_export_format(request):
                return JSONRenderer(), JSONRenderer.media_type
            raise

    # Reads

    def read_records(self, queryset: QuerySet, ids: list | None = None) -> list:
        """The records of `queryset` as the API shows them (only those of `ids`, in that order, when given).
        A resource with a faster reader of the same JSON overrides this."""
        if ids is None:
            return self.get_serializer(queryset, many=True).data
        position = {pk: index for index, pk in enumerate(ids)}
        records = sorted(queryset.filter(pk__any=ids), key=lambda record: position[record.pk])
        return self.get_serializer(records, many=True).data

    def list(self, request, *args, **kwargs):
        export_format = requested_export_format(request)
        if export_format is None:
            queryset = self.filter_queryset(self.get_queryset())
            if self.paginator is None:
                return Response(self.read_records(queryset))
            ids = self.paginate_queryset(queryset)  # the filters ran here; the page is read by id
            return self.get_paginated_response(self.read_records(self.get_queryset(), ids))
        check_export_permission(request, self.get_queryset().model)
        if self.paginator is not None:
            self.paginator.validate_parameters(request)
        queryset = ordered_uniquely(self.filter_queryset(self.get_queryset()))
        if export_format == CSV and connections[queryset.db].vendor == "postgresql":
            query = self.export_resource().copy_query(queryset)
            if query is not None:
                return copy_csv_response(
                    basename=self.export_basename, header=self.export_header(), query=query
                )
        return export_response(
            export_format,
            basename=self.export_basename,
            header=self.export_header(),
            rows=self.export_rows(queryset),
        )

    def export_instances(self, queryset) -> Iterator:
        return queryset.iterator(chunk_size=EXPORT_ITERATOR_CHUNK)

    def export_header(self) -> list[str]:
        return self.export_resource().export_header()

    def export_rows(self, queryset) -> Iterator[dict]:
        """The export's rows: read as values by the database where every column says how (on PostgreSQL,
        `PortfolioResource.value_rows`), else from model instances."""
        resource = self.export_resource()
        if connections[queryset.db].vendor == "postgresql" and (rows := resource.value_rows(queryset)):
            header = resource.export_header()
            return (dict(zip(header, row, strict=True)) for row in rows)
        related = queryset.select_related(*resource.export_select_related)
        return resource.export_rows(self.export_instances(related))
