"""Page-number pagination that refuses bad `page` and `page_size` values instead of guessing."""

from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


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


class PageNumberPagination(pagination.PageNumberPagination):
    """`page` and `page_size` (default 50, at most 1000), answered with count, next, previous and results."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request) -> int:
        return (
            positive_int_param(request, self.page_size_query_param, maximum=self.max_page_size)
            or self.page_size
        )

    def validate_parameters(self, request) -> None:
        """Checks `page` and `page_size` even where unused (an export), so a typo is never silent."""
        positive_int_param(request, self.page_query_param)
        self.get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        self.validate_parameters(request)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
