"""OpenAPI generation: the error answers and export formats every operation really has."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from portfolio.api.exports import EXPORT_FORMATS, MEDIA_TYPES


class ErrorSerializer(serializers.Serializer):
    """An error: `detail` for the request as a whole, or a list of messages per field or parameter."""

    detail = serializers.CharField(required=False)


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: messages per field or query parameter.",
    "401": "No or invalid credentials.",
    "403": "The user or token lacks the permission.",
    "404": "No such record.",
    "409": "The change conflicts with existing data (e.g. a record still referred to).",
    "503": "The database is unavailable; retry after the Retry-After seconds.",
}


class PortfolioAutoSchema(AutoSchema):
    """Adds the export `format` parameter to lists and documents the errors each operation answers."""

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "GET" and self._is_list_view() and hasattr(self.view, "export_basename"):
            parameters.append(
                OpenApiParameter(
                    "format",
                    enum=EXPORT_FORMATS,
                    description=(
                        "Download every matching row, unpaginated: CSV (UTF-8 with BOM), XLSX, "
                        "or a JSON array. An Accept header of text/csv or the XLSX media type does the same."
                    ),
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method == "GET" and self._is_list_view() and hasattr(self.view, "export_basename"):
            ok = responses.get("200")
            if ok and "content" in ok:
                for export_format in ("csv", "xlsx"):
                    ok["content"][MEDIA_TYPES[export_format]] = {
                        "schema": {"type": "string", "format": "binary"}
                    }
        error_schema = self._get_response_for_code(ErrorSerializer, "400")["content"]
        codes = ["400", "401", "403", "503"]
        if "{" in self.path:
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        for code in codes:
            responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code], "content": error_schema})
        return responses


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portfolio.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A token from `manage.py issue_token`."}
