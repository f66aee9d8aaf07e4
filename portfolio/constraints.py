"""Check constraints validated in Python, as the database would judge them, without a query.

Django validates a model's `CheckConstraint`s (`full_clean`) with one query per constraint;
an import of 50,000 rows with three constraints each spent 42% of its time there. The
conditions of this project's constraints are simple (`exact`, `in`, `isnull`, comparisons,
`endswith` on a date's ISO text, `F()` of another field of the row), and are evaluated here
with SQL's three-valued logic: a comparison with NULL is unknown, and a CHECK fails only when
its condition is false. A condition using anything else is left to Django's query, so the
answer is always the database's.
"""

import datetime
import operator

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import router
from django.db.models import CheckConstraint, F, Model, Q

COMPARISONS = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


class Unsupported(Exception):
    """The condition uses something this evaluator does not judge; the database must."""


def check_holds(constraint: CheckConstraint, instance: Model, exclude: set[str]) -> bool | None:
    """Whether the row passes the constraint (True or False), or None when a field it reads is
    excluded from validation (Django skips the constraint then)."""
    try:
        return evaluate(constraint.condition, instance, exclude) is not False
    except _Excluded:
        return None


class _Excluded(Exception):
    pass


def evaluate(condition: Q, instance: Model, exclude: set[str]) -> bool | None:
    """The condition's truth for this row: True, False, or None (unknown, as SQL's NULL)."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(evaluate(child, instance, exclude))
        else:
            results.append(lookup(instance, *child, exclude=exclude))
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    else:
        result = True if True in results else (None if None in results else False)
    if condition.negated and result is not None:
        result = not result
    return result


def field_value(instance: Model, name: str, exclude: set[str]):
    if name in exclude:
        raise _Excluded
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        raise Unsupported(name) from None
    return getattr(instance, field.attname)


def lookup(instance: Model, key: str, expected, *, exclude: set[str]) -> bool | None:
    name, _, kind = key.partition("__")
    kind = kind or "exact"
    value = field_value(instance, name, exclude)
    if isinstance(expected, F):
        expected = field_value(instance, expected.name, exclude)
    elif hasattr(expected, "resolve_expression"):
        raise Unsupported(key)
    if kind == "isnull":
        return (value is None) == bool(expected)
    if value is None:
        return None
    if kind == "exact":
        return None if expected is None else value == expected
    if kind == "in":
        return value in expected
    if kind in COMPARISONS:
        return None if expected is None else COMPARISONS[kind](value, expected)
    if kind == "endswith" and isinstance(value, datetime.date) and isinstance(expected, str):
        return value.isoformat().endswith(expected)
    raise Unsupported(key)


class PythonCheckConstraints:
    """A model mixin: `full_clean` judges check constraints in Python when it can (`check_holds`),
    and asks the database, as Django does, for the others and for unique constraints. The loop is
    Django's `Model.validate_constraints`, with that one difference."""

    def validate_constraints(self, exclude=None):
        exclude = set(exclude or ())
        using = router.db_for_write(self.__class__, instance=self)
        errors: dict = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    self.validate_constraint(model_class, constraint, exclude, using)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def validate_constraint(self, model_class, constraint, exclude: set[str], using: str) -> None:
        if isinstance(constraint, CheckConstraint):
            try:
                holds = check_holds(constraint, self, exclude)
            except Unsupported:
                pass
            else:
                if holds is False:
                    raise ValidationError(
                        constraint.get_violation_error_message(), code=constraint.violation_error_code
                    )
                return
        constraint.validate(model_class, self, exclude=exclude, using=using)
