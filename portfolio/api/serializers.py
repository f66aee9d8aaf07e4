"""Serializer pieces every resource shares: model validation, aliases, partial dates."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.settings import api_settings


class AliasesField(serializers.ListField):
    """Aliases are kept one per line in the database and shown as a list of strings."""

    child = serializers.CharField(max_length=200)

    def to_representation(self, value: str) -> list[str]:
        return [line.strip() for line in value.splitlines() if line.strip()]

    def to_internal_value(self, data) -> str:
        names = super().to_internal_value(data)
        if any("\n" in name for name in names):
            raise serializers.ValidationError("An alias cannot contain a line break.")
        return "\n".join(name.strip() for name in names if name.strip())


class ModelValidatedSerializer(serializers.ModelSerializer):
    """Runs the model's own validation (`clean()` and its constraints) so the API and admin agree.

    A row the database would refuse is answered with 400 and field-level messages instead of
    reaching the database; partial dates come back moved to the start of their period.
    """

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        model = self.Meta.model
        if self.instance is None:
            instance = model()
        else:
            fields = model._meta.concrete_fields
            instance = model(**{f.attname: getattr(self.instance, f.attname) for f in fields})
            instance._state.adding = False
        for name, value in attrs.items():
            setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(self.api_errors(error.message_dict)) from None
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
