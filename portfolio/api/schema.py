"""OpenAPI generation: the error answers, export formats and exact value spellings the API really has."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from portfolio.api.exports import EXPORT_FORMATS, MEDIA_TYPES
from portfolio.api.fields import MAX_ID, StrictDecimalField, StrictPrimaryKeyRelatedField, StrictURLField


class ErrorSerializer(serializers.Serializer):
    """An error: `detail` for the request as a whole, or a list of messages per field or parameter."""

    detail = serializers.CharField(required=False)


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: messages per field or query parameter.",
    "401": "No or invalid credentials.",
    "403": "The user or token lacks the permission (`view` to read, `export` to download a file).",
    "404": "No such record, or a page past the last one.",
    "414": "The URL is longer than the server accepts (8190 bytes for the request line).",
    "409": "The change conflicts with an existing record (a taken key, or a record still referred to).",
    "429": "Too many requests for this user or token; retry after the Retry-After seconds.",
    "503": "The database is unavailable; retry after the Retry-After seconds.",
}
FORMAT_PARAMETER = OpenApiParameter(
    "format",
    enum=EXPORT_FORMATS,
    description=(
        "Download every matching row, unpaginated: CSV (UTF-8 with BOM), XLSX, or a JSON array. "
        "An Accept header of text/csv or the XLSX media type does the same. "
        "Exports need the model's `export` permission besides `view` (403 without it)."
    ),
)


class PortfolioAutoSchema(AutoSchema):
    """Documents exports on the views that offer them (`export_formats`) and every error answer."""

    def offers_exports(self) -> bool:
        return (
            self.method == "GET"
            and bool(getattr(self.view, "export_formats", ()))
            and (self._is_list_view() or getattr(self.view, "action", None) is None)
        )

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.offers_exports():
            parameters.append(FORMAT_PARAMETER)
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, StrictDecimalField | StrictURLField):
            schema.pop("format", None)
            schema["pattern"] = field.pattern
        elif isinstance(field, StrictPrimaryKeyRelatedField):
            schema.update(minimum=1, maximum=MAX_ID)
        elif isinstance(field, serializers.ManyRelatedField) and isinstance(
            field.child_relation, StrictPrimaryKeyRelatedField
        ):
            schema["items"].update(minimum=1, maximum=MAX_ID)
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        ok = responses.get("200")
        if self.offers_exports() and ok and "content" in ok:
            json_schema = ok["content"]["application/json"]["schema"]
            items = json_schema.get("items") or self.resolve_listed_item(json_schema)
            if items is not None and "items" not in json_schema:
                ok["content"]["application/json"]["schema"] = {
                    "oneOf": [json_schema, {"type": "array", "items": items}]
                }
            for export_format in ("csv", "xlsx"):
                ok["content"][MEDIA_TYPES[export_format]] = {"schema": {"type": "string", "format": "binary"}}
        error_content = self._get_response_for_code(ErrorSerializer, "400")["content"]
        codes = ["400", "401", "403", "429", "503"]
        if "{" in self.path or self._is_list_view():
            codes.append("404")
        if self.method == "GET":
            codes.append("414")
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        for code in codes:
            responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code], "content": error_content})
        return responses

    def resolve_listed_item(self, paginated_schema: dict) -> dict | None:
        """The item schema of a paginated list, for the unpaginated JSON export of the same rows."""
        serializer = self.get_response_serializers()
        if serializer is None:
            return None
        component = self.resolve_serializer(serializer, "response")
        return component.ref if component else None


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portfolio.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A token from `manage.py issue_token`."}


def require_list_items(result, generator, request, public):
    """A list parameter (`stage=a,b`) holds at least one value; an empty one is refused, not ignored."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("schema", {}).get("type") == "array":
                    parameter["schema"]["minItems"] = 1
    return result
