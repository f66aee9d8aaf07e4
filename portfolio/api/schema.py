"""OpenAPI generation: the error answers, export formats and exact value spellings the API really has."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from portfolio.api.conditional import ETAG_LIST_PATTERN, IF_MATCH, IF_NONE_MATCH
from portfolio.api.exports import EXPORT_FORMATS, MEDIA_TYPES
from portfolio.api.fields import StrictDecimalField, StrictPrimaryKeyRelatedField, StrictURLField
from portfolio.api.idempotency import IDEMPOTENCY_KEY, KEY_PATTERN, REPLAYED
from portfolio.values import MAX_ID


class ErrorSerializer(serializers.Serializer):
    """An error: `detail` for the request as a whole, or a list of messages per field or parameter."""

    detail = serializers.CharField(required=False)


class PreconditionFailedSerializer(ErrorSerializer):
    """A write refused because the record is not at the version it named: the current ETag is given."""

    etag = serializers.CharField(help_text='The record\'s current ETag, e.g. "4".', required=False)


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: messages per field or query parameter.",
    "401": "No or invalid credentials.",
    "403": "The user or token lacks the permission (`view` to read, `export` to download a file).",
    "404": "No such record, or a page past the last one.",
    "414": "The URL is longer than the server accepts (8190 bytes for the request line).",
    "409": (
        "The change conflicts with an existing record (a taken key, or a record still referred to), "
        "or a request with the same Idempotency-Key is still running."
    ),
    "412": (
        "If-Match named a version the record is no longer at (or a malformed one is a 400): nothing was "
        "changed. The body and the ETag header give the current ETag."
    ),
    "422": "The Idempotency-Key was first used with a different request (method, path or body).",
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


ETAG_SCHEMA = {"type": "string", "pattern": r'^"[0-9]+"$', "example": '"3"'}
IF_MATCH_PARAMETER = OpenApiParameter(
    IF_MATCH,
    {"type": "string", "pattern": ETAG_LIST_PATTERN},
    location=OpenApiParameter.HEADER,
    description=(
        'Write only if the record is still at this version: its ETag (e.g. `"3"`; the bare `version` of a '
        "list item, 3, is taken as its ETag), several separated by commas, or `*`. Otherwise 412 and "
        "nothing changes. Without "
        "it, concurrent writes apply one after the other, and a PATCH writes only the fields it sends."
    ),
)
IF_NONE_MATCH_PARAMETER = OpenApiParameter(
    IF_NONE_MATCH,
    {"type": "string", "pattern": ETAG_LIST_PATTERN},
    location=OpenApiParameter.HEADER,
    description="The ETag of the copy you hold: 304 with no body while the record is still at that version.",
)
IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_KEY,
    {"type": "string", "pattern": KEY_PATTERN},
    location=OpenApiParameter.HEADER,
    description=(
        "A key of your choosing (e.g. a UUID) that makes a retried POST safe: for 24 hours, the same key "
        "with the same body answers the first status and body again, with `Idempotent-Replayed: true`, "
        "and creates nothing; the same key with another body answers 422. Keys belong to the user."
    ),
)
ETAG_HEADER = OpenApiParameter(
    "ETag",
    ETAG_SCHEMA,
    location=OpenApiParameter.HEADER,
    response=["200", "201", "304", "412"],
    description="The record's version as a strong entity tag; send it back in If-Match or If-None-Match.",
)
LOCATION_HEADER = OpenApiParameter(
    "Location",
    {"type": "string", "format": "uri"},
    location=OpenApiParameter.HEADER,
    response=["201"],
    description="The URL of the record created.",
)
REPLAYED_HEADER = OpenApiParameter(
    REPLAYED,
    {"type": "string", "enum": ["true"]},
    location=OpenApiParameter.HEADER,
    response=["201"],
    description="Present on the repeated answer to a POST retried with its Idempotency-Key.",
)
RECORD_ACTIONS = {"retrieve", "update", "partial_update", "destroy"}


class PortfolioAutoSchema(AutoSchema):
    """Documents exports on the views that offer them (`export_formats`), conditional requests,
    idempotent creates, strict request bodies and every error answer."""

    def action(self) -> str | None:
        return getattr(self.view, "action", None)

    def is_versioned_record(self) -> bool:
        """A record of a resource that has versions (not the read-only views of several models)."""
        queryset = getattr(self.view, "queryset", None)
        return queryset is not None and any(f.name == "version" for f in queryset.model._meta.fields)

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
        if self.is_versioned_record():
            action = self.action()
            if action == "retrieve":
                parameters += [IF_NONE_MATCH_PARAMETER, ETAG_HEADER]
            elif action in ("update", "partial_update"):
                parameters += [IF_MATCH_PARAMETER, ETAG_HEADER]
            elif action == "destroy":
                parameters += [IF_MATCH_PARAMETER]
            elif action == "create":
                parameters += [IDEMPOTENCY_KEY_PARAMETER, ETAG_HEADER, LOCATION_HEADER, REPLAYED_HEADER]
        return parameters

    def _postprocess_serializer_schema(self, schema, serializer, direction):
        """Request bodies list the read-only fields too, marked readOnly: a client may send back what
        it read, and they are ignored. Any other property is refused (400 naming it)."""
        if direction != "request" or "properties" not in schema:
            return super()._postprocess_serializer_schema(schema, serializer, direction)
        read_only = [name for name, prop in schema["properties"].items() if prop.get("readOnly")]
        required = [name for name in schema.get("required", []) if name not in read_only]
        if required:
            schema["required"] = required
        else:
            schema.pop("required", None)
        schema["additionalProperties"] = False
        return schema

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
            # `format=json` answers the export's rows: the columns of the list's spreadsheet.
            json_schema = ok["content"]["application/json"]["schema"]
            # A view whose rows are computed (positions) names their schema; the others have a resource.
            row_schema = getattr(self.view, "export_row_schema", None)
            row = row_schema() if row_schema else self.view.export_resource.export_row_schema()
            export = {"type": "array", "items": row}
            ok["content"]["application/json"]["schema"] = {"anyOf": [json_schema, export]}
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
        if self.is_versioned_record() and self.action() == "create":
            codes.append("422")
        for code in codes:
            responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code], "content": error_content})
        if self.is_versioned_record() and self.action() in RECORD_ACTIONS - {"retrieve"}:
            precondition = self._get_response_for_code(PreconditionFailedSerializer, "412")
            responses["412"] = {**precondition, "description": ERROR_DESCRIPTIONS["412"]}
        if self.is_versioned_record() and self.action() == "retrieve":
            responses["304"] = {
                "description": "Not modified: the record is still at the version If-None-Match named.",
                "headers": self._get_response_headers_for_code("304"),
            }
        return responses


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
