"""Check constraints judged in Python agree with the database, constraint by constraint.

For every check constraint of every model, rows are made that pass and rows that break it (a
negative amount, an unknown currency, a period ending before it starts, a date known to the year
that is not 1 January, NULLs), and `check_holds` must say what Django's query says
(`Q(condition).check(...)`, which runs the condition in the database).
"""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, F, Q

from portfolio.constraints import PythonCheckConstraints, Unsupported, check_holds
from tests.companies.factories import CompanyFactory, KPIFactory, ModelReleaseFactory, SourceFactory
from tests.rounds.factories import FundingRoundFactory, InvestorFactory, ListingFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

# Values that break constraints, or sit at their edges, tried on every field of that kind.
EDGES = {
    "DecimalField": [None, Decimal("-1"), Decimal("0"), Decimal("1500000000.50")],
    "DateField": [None, datetime.date(2021, 1, 1), datetime.date(2021, 7, 1), datetime.date(2021, 7, 28)],
    "CharField": ["", "USD", "XXX", "year", "month", "day", "week", "eq", "gt", "nonsense"],
    "PositiveIntegerField": [None, 0, 5],
    "BooleanField": [True, False],
}
FACTORIES = [
    SourceFactory,
    CompanyFactory,
    ModelReleaseFactory,
    KPIFactory,
    InvestorFactory,
    FundingRoundFactory,
    ParticipationFactory,
    ListingFactory,
]


def database_says(constraint: CheckConstraint, instance) -> bool:
    against = instance._get_field_expression_map(meta=instance._meta)
    return Q(constraint.condition).check(against)


def fields_of(condition: Q) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= fields_of(child)
        else:
            names.add(child[0].split("__")[0])
            if isinstance(child[1], F):
                names.add(child[1].name)
    return names


def variants(instance, names: list[str]):
    """The instance with every combination of edge values in the named fields (at most two fields)."""
    options = []
    for name in names[:2]:
        field = instance._meta.get_field(name)
        options.append([(field.attname, value) for value in EDGES.get(field.get_internal_type(), [None])])
    for combination in itertools.product(*options):
        for attname, value in combination:
            setattr(instance, attname, value)
        yield combination


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda factory: factory._meta.model.__name__)
def test_python_and_the_database_judge_every_check_constraint_alike(factory):
    instance = factory.build(
        **({"funding_round": FundingRoundFactory()} if factory is ParticipationFactory else {})
    )
    checked = 0
    for constraint in instance._meta.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        names = sorted(fields_of(constraint.condition))
        original = {name: getattr(instance, instance._meta.get_field(name).attname) for name in names}
        for combination in variants(instance, names):
            try:
                python = check_holds(constraint, instance, set())
            except Unsupported:
                continue
            assert python == database_says(constraint, instance), (constraint.name, combination)
            checked += 1
        for name, value in original.items():
            setattr(instance, instance._meta.get_field(name).attname, value)
    assert checked > 0


def test_every_portfolio_model_judges_its_checks_in_python():
    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label in {"companies", "rounds"} and not model.__name__.startswith("Historical")
    ]
    assert models and all(issubclass(model, PythonCheckConstraints) for model in models)
    supported = 0
    for model in models:
        for constraint in model._meta.constraints:
            if isinstance(constraint, CheckConstraint):
                check_holds(constraint, model(), set())  # raises Unsupported when Python cannot judge it
                supported += 1
    assert supported > 10


def test_a_broken_check_is_a_validation_error_without_a_query(django_assert_num_queries):
    funding_round = FundingRoundFactory.build(
        company=CompanyFactory(), source=SourceFactory(), amount=Decimal("-5"), currency="USD"
    )
    with django_assert_num_queries(0), pytest.raises(ValidationError) as raised:
        funding_round.validate_constraints(exclude={"company", "source", "id"})
    assert "Amounts cannot be negative." in str(raised.value)
