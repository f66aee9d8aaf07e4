"""The one viewset shape every resource uses: explicit queryset, filterset, strict parameters, exports."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotAcceptable, ValidationError
from rest_framework.renderers import JSONRenderer

from portfolio.api.exports import (
    EXPORT_FORMATS,
    accepted_export_format,
    export_response,
    requested_export_format,
)
from portfolio.api.permissions import check_export_permission
from portfolio.filters import query_parameter_names

EXPORT_ITERATOR_CHUNK = 500


def reject_unknown_parameters(request, *, allowed: set[str]) -> None:
    """A mistyped or repeated parameter must fail loudly, not be silently ignored or overridden."""
    errors = {name: [_("Unknown query parameter.")] for name in request.query_params if name not in allowed}
    for name, values in request.query_params.lists():
        if len(values) > 1 and name not in errors:
            errors[name] = [_("Give this parameter once; separate several values with commas.")]
    if errors:
        raise ValidationError(dict(sorted(errors.items())))


def flat_value(field: serializers.Field, instance):
    """A serializer field's value for a spreadsheet cell: dates and numbers stay typed."""
    value = field.get_attribute(instance)
    if value is None:
        return None
    if isinstance(
        field,
        serializers.DateField
        | serializers.DateTimeField
        | serializers.DecimalField
        | serializers.BooleanField,
    ):
        return value
    if isinstance(field, serializers.IntegerField):
        return value
    representation = field.to_representation(value)
    if isinstance(representation, list):
        return "; ".join(str(item) for item in representation)
    return representation


class PortfolioViewSet(viewsets.ModelViewSet):
    """A resource of the API.

    Subclasses declare `queryset` (with its select/prefetch_related), `serializer_class`,
    `filterset_class` and `export_basename`. Lists refuse unknown query parameters (a
    mistyped filter must not silently return everything) and answer `format=csv|xlsx|json`
    (or an `Accept: text/csv` or XLSX header) with every matching row, unpaginated.
    """

    filter_backends = [DjangoFilterBackend]
    export_basename: str = "export"
    export_formats = EXPORT_FORMATS
    lookup_value_regex = "[0-9]{1,18}"

    # Parameters and content negotiation

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.check_query_parameters(request)

    def allowed_query_parameters(self) -> set[str]:
        if self.action != "list":
            return set()
        allowed = {"format"}
        if self.paginator is not None:
            allowed |= {self.paginator.page_query_param, self.paginator.page_size_query_param}
        if getattr(self, "filterset_class", None) is not None:
            allowed |= query_parameter_names(self.filterset_class)
        return allowed

    def check_query_parameters(self, request) -> None:
        reject_unknown_parameters(request, allowed=self.allowed_query_parameters())

    def perform_content_negotiation(self, request, force=False):
        """Accept headers asking for an export are answered by `list`; errors then come as JSON."""
        try:
            return super().perform_content_negotiation(request, force)
        except NotAcceptable:
            if accepted_export_format(request):
                return JSONRenderer(), JSONRenderer.media_type
            raise

    # Exports

    def list(self, request, *args, **kwargs):
        export_format = requested_export_format(request)
        if export_format is None:
            return super().list(request, *args, **kwargs)
        check_export_permission(request, self.get_queryset().model)
        if self.paginator is not None:
            self.paginator.validate_parameters(request)
        queryset = self.filter_queryset(self.get_queryset())
        return export_response(
            export_format,
            basename=self.export_basename,
            header=self.export_header(),
            rows=self.export_rows(queryset),
            representations=self.export_representations(queryset),
        )

    def export_instances(self, queryset) -> Iterator:
        return queryset.iterator(chunk_size=EXPORT_ITERATOR_CHUNK)

    def export_fields(self) -> dict[str, serializers.Field]:
        """The serializer's fields that fit in one cell (nested lists of objects do not)."""
        fields = self.get_serializer().fields
        return {
            name: field for name, field in fields.items() if not isinstance(field, serializers.BaseSerializer)
        }

    def export_header(self) -> list[str]:
        return list(self.export_fields())

    def export_rows(self, queryset) -> Iterator[dict]:
        fields = self.export_fields()
        for instance in self.export_instances(queryset):
            yield {name: flat_value(field, instance) for name, field in fields.items()}

    def export_representations(self, queryset) -> Iterator[dict]:
        serializer = self.get_serializer()
        for instance in self.export_instances(queryset):
            yield serializer.to_representation(instance)
