"""Factories for the companies app's models."""

import datetime
from decimal import Decimal

import factory

from companies.choices import CompanyStatus, MetricUnit, Qualifier, ReleaseKind
from companies.models import KPI, Company, Metric, ModelRelease, Source


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Article {n}")
    publisher = "Example Press"
    published_on = datetime.date(2026, 1, 8)
    language = "en"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"company-{n}")
    name_en = factory.Sequence(lambda n: f"Company {n}")
    name_zh = factory.Sequence(lambda n: f"公司{n}")
    country = "CN"
    status = CompanyStatus.PRIVATE


class ModelReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelRelease

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Model-{n}")
    family = "Model"
    released_on = datetime.date(2024, 1, 1)
    released_on_precision = "year"
    kind = ReleaseKind.BASE
    source = factory.SubFactory(SourceFactory)


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metric
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"metric_{n}")
    name_en = factory.Sequence(lambda n: f"Metric {n}")
    name_zh = factory.Sequence(lambda n: f"指标{n}")
    unit = MetricUnit.COUNT


class KPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPI

    company = factory.SubFactory(CompanyFactory)
    metric = factory.SubFactory(MetricFactory)
    period_start = datetime.date(2024, 1, 1)
    period_end = datetime.date(2024, 12, 31)
    value = Decimal("42")
    qualifier = Qualifier.EQ
    source = factory.SubFactory(SourceFactory)
