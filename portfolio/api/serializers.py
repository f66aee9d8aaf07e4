"""Serializer pieces every resource shares: strict fields, model validation, conflicts, aliases."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings
from rest_framework.validators import UniqueValidator

from portfolio.api.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictDateField,
    StrictDecimalField,
    StrictListField,
    StrictPrimaryKeyRelatedField,
    StrictSlugField,
    StrictURLField,
)
from portfolio.models import split_aliases

UNIQUE_CODES = {"unique", "unique_together"}
# What every record shows besides its own fields: its version (the ETag) and its timestamps.
RECORD_FIELDS = ("version", "created_at", "updated_at")


class Conflict(APIException):
    """The request is valid but clashes with a record that exists (a taken slug, a second house investor)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The change conflicts with an existing record.")
    default_code = "conflict"


class AliasesField(StrictListField):
    """Aliases are kept one per line in the database and shown as a list of strings."""

    def __init__(self, **kwargs):
        one_line = RegexValidator(r"^[^\r\n]+$", _("An alias cannot contain a line break."))
        child = StrictCharField(max_length=200, min_length=1, trim_whitespace=False, validators=[one_line])
        kwargs.setdefault("child", child)
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> list[str]:
        return split_aliases(value)

    def to_internal_value(self, data) -> str:
        names = super().to_internal_value(data)
        return "\n".join(name.strip() for name in names if name.strip())


class ModelValidatedSerializer(serializers.ModelSerializer):
    """Strict types, and the model's own validation (`clean()` and constraints) so API and admin agree.

    A row the database would refuse is answered with 400 and field-level messages instead of
    reaching the database; one that clashes with an existing record (a unique key) with 409.
    Partial dates come back moved to the start of their period. A body field the serializer
    does not have is a 400 naming it; read-only fields are accepted and ignored, so a client
    can send back what it read. A partial update writes only the fields it was given.
    """

    # Model fields set by whoever writes this serializer's record (a round for its participations).
    model_clean_exclude: tuple[str, ...] = ()

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
        models.URLField: StrictURLField,
        models.BooleanField: StrictBooleanField,
        models.DecimalField: StrictDecimalField,
        models.DateField: StrictDateField,
    }
    serializer_related_field = StrictPrimaryKeyRelatedField
    serializer_choice_field = StrictChoiceField

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        validators = [v for v in kwargs.get("validators", []) if not isinstance(v, UniqueValidator)]
        if "validators" in kwargs:
            kwargs["validators"] = validators
        return field_class, kwargs

    def get_validators(self):
        """Uniqueness is checked by the model's own validation, which can tell a conflict from an error."""
        return []

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(name for name in data if name not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [_("Unknown field: this resource has no field of this name.")]
                        for name in unknown
                    },
                    code="unknown_field",
                )
        return super().to_internal_value(data)

    def update(self, instance, validated_data):
        """Set the given fields; a partial update (PATCH) saves only those, leaving the others as stored."""
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save(update_fields=list(validated_data) if self.partial else None)
        return instance

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        model = self.Meta.model
        if self.instance is None:
            instance = model()
        else:
            fields = model._meta.concrete_fields
            instance = model(**{f.attname: getattr(self.instance, f.attname) for f in fields})
            instance._state.adding = False
        columns = {f.name for f in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in columns:  # nested records (a round's participations) are validated by their own
                setattr(instance, name, value)
        try:
            instance.full_clean(exclude=self.model_clean_exclude)
        except DjangoValidationError as error:
            detail = self.api_errors(error.message_dict)
            codes = {e.code for errors in error.error_dict.values() for e in errors}
            if codes <= UNIQUE_CODES:
                raise Conflict(detail) from None
            raise serializers.ValidationError(detail) from None
        for name in getattr(model, "partial_date_fields", ()):
            if name in attrs or f"{name}_precision" in attrs:
                attrs[name] = getattr(instance, name)
        return attrs

    def api_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """Model field names to the API's names (e.g. `funding_round` is shown as `round`)."""
        by_source = {field.source: name for name, field in self.fields.items()}
        renamed: dict[str, list[str]] = {}
        for key, messages in errors.items():
            name = api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else by_source.get(key, key)
            renamed.setdefault(name, []).extend(messages)
        return renamed
