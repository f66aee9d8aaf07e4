"""Synthetic portfolio data for benchmarks and load tests, deterministic for a given seed.

`seed(rounds=N, seed=S)` adds N funding rounds and, in fixed proportions, the records around
them: a company per 10 rounds, 3 investors per 100 rounds, 3.2 participations per round, a
source per 50 rounds, and per company half a model release, two KPIs and a listing for the
listed ones. A few companies and investors have many rounds, as in real data: of 100,000
rounds, the busiest company has about 300 and the busiest investor about 9,000.

Every record is valid under the database's constraints and its model's `clean()` by
construction. Records are written in bulk, in chunks, without building them all in memory: on
PostgreSQL with `COPY … FROM STDIN`, elsewhere with `bulk_create`. Bulk writes bypass history:
synthetic records have no history entry and are not in the change log until they are edited.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.db.models import Max

from companies.choices import CompanyStatus, MetricUnit, Qualifier, ReleaseKind
from companies.models import KPI, Company, Metric, ModelRelease, Source
from portfolio.dates import DatePrecision, period_start
from portfolio.versioning import serialize_writes
from rounds.choices import InvestorKind, ListingKind, Role, Stage
from rounds.models import FundingRound, Investor, Listing, Participation

CHUNK = 5000
COUNTRIES = ("CN", "CN", "CN", "US", "US", "HK", "SG", "GB", "DE", "JP")
SECTORS = ("AI", "semiconductors", "robotics", "biotech", "fintech", "cloud", "consumer", "energy")
CURRENCIES = ("CNY", "CNY", "USD", "USD", "HKD")
# Participations per round, drawn uniformly: 3.2 on average.
ROUND_SIZES = (1, 2, 2, 3, 3, 3, 4, 4, 5, 5)
METRICS = (
    ("synthetic_users", "Users", "用户数", MetricUnit.COUNT),
    ("synthetic_revenue", "Revenue", "营业收入", MetricUnit.MONEY),
    ("synthetic_share", "Market share", "市场份额", MetricUnit.PERCENT),
    ("synthetic_rank", "Rank", "排名", MetricUnit.RANK),
)


@dataclass(frozen=True)
class Plan:
    """How many of each record `rounds` rounds come with."""

    rounds: int

    @property
    def companies(self) -> int:
        return max(1, self.rounds // 10)

    @property
    def investors(self) -> int:
        return max(max(ROUND_SIZES), self.rounds * 3 // 100)

    @property
    def sources(self) -> int:
        return max(1, self.rounds // 50)

    @property
    def model_releases(self) -> int:
        return self.companies // 2

    @property
    def kpis(self) -> int:
        return self.companies * 2


def skewed(rng: random.Random, count: int, exponent: float) -> int:
    """An index below `count`, low ones far more often: the first of 10,000 is drawn about 0.3% of the
    time with an exponent of 1.6; the first of 3,000 about 2.8% with 2.2."""
    return min(count - 1, int(count * rng.random() ** exponent))


def partial_date(rng: random.Random, first_year: int, last_year: int) -> tuple[datetime.date, str]:
    """A date between the years given, known to the day (60%), the month (25%) or the year."""
    day = datetime.date(first_year, 1, 1) + datetime.timedelta(
        days=rng.randrange((datetime.date(last_year, 12, 31) - datetime.date(first_year, 1, 1)).days)
    )
    precision = rng.choices(
        (DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR), weights=(60, 25, 15)
    )[0]
    return period_start(day, precision), precision.value


def money(rng: random.Random, low: int, high: int) -> Decimal:
    """A round amount, in whole thousands."""
    return Decimal(rng.randrange(low // 1000, high // 1000) * 1000)


class Seeder:
    """Writes one synthetic data set; ids are chosen here, after the highest ones in use."""

    def __init__(self, *, rounds: int, seed: int, using: str = "default", progress: Callable | None = None):
        self.plan = Plan(rounds)
        self.rng = random.Random(seed)
        self.using = using
        self.connection = connections[using]
        self.progress = progress or (lambda model, written: None)
        self.first_id = {model: self.next_id(model) for model in self.models}
        self.house_id = (
            Investor.objects.using(using).filter(is_house=True).values_list("pk", flat=True).first()
        )

    models = (Source, Company, Investor, ModelRelease, KPI, Listing, FundingRound, Participation)

    def next_id(self, model: type[models.Model]) -> int:
        return (model.objects.using(self.using).aggregate(top=Max("pk"))["top"] or 0) + 1

    def ids(self, model: type[models.Model], count: int) -> range:
        return range(self.first_id[model], self.first_id[model] + count)

    def run(self) -> dict[str, int]:
        with transaction.atomic(using=self.using):
            serialize_writes(self.using)
            metrics = self.metrics()
            written = {
                "sources": self.write(Source, self.sources()),
                "companies": self.write(Company, self.companies()),
                "investors": self.write(Investor, self.investors()),
                "model releases": self.write(ModelRelease, self.model_releases()),
                "KPIs": self.write(KPI, self.kpis(metrics)),
                "listings": self.write(Listing, self.listings()),
            }
            written["funding rounds"], written["participations"] = self.write_rounds()
            self.reset_sequences()
        return written

    def metrics(self) -> list[Metric]:
        return [
            Metric.objects.using(self.using).get_or_create(
                code=code, defaults={"name_en": name_en, "name_zh": name_zh, "unit": unit}
            )[0]
            for code, name_en, name_zh, unit in METRICS
        ]

    def sources(self) -> Iterator[Source]:
        rng = self.rng
        for pk in self.ids(Source, self.plan.sources):
            published_on, precision = partial_date(rng, 2005, 2026)
            yield Source(
                pk=pk,
                title=f"Synthetic report {pk}",
                publisher=rng.choice(("36氪", "Reuters", "财新", "TechCrunch", "HKEX")),
                url=f"https://news.example.com/{pk}",
                published_on=published_on,
                published_on_precision=precision,
                language=rng.choice(("zh-Hans", "en")),
            )

    def source(self) -> tuple[int | None, str]:
        """A source for half the facts, with its sentence for half of those."""
        if self.rng.random() < 0.5:
            return None, ""
        pk = self.first_id[Source] + self.rng.randrange(self.plan.sources)
        return pk, (f"据报道（来源 {pk}）。" if self.rng.random() < 0.5 else "")

    def company_status(self, pk: int) -> str:
        """Fixed by the id, so listings can be given to exactly the listed companies."""
        bucket = pk % 100
        if bucket < 5:
            return CompanyStatus.LISTED
        if bucket < 7:
            return CompanyStatus.ACQUIRED
        if bucket < 10:
            return CompanyStatus.CLOSED
        return CompanyStatus.PRIVATE

    def companies(self) -> Iterator[Company]:
        rng = self.rng
        for pk in self.ids(Company, self.plan.companies):
            founded_on, precision = partial_date(rng, 1995, 2024)
            yield Company(
                pk=pk,
                slug=f"synthetic-company-{pk}",
                name_en=f"Synthetic Company {pk}",
                name_zh=f"合成公司{pk}",
                legal_name=f"合成公司{pk}有限公司",
                founded_on=founded_on,
                founded_on_precision=precision,
                country=rng.choice(COUNTRIES),
                city=rng.choice(("北京", "上海", "深圳", "杭州", "Hong Kong", "San Francisco")),
                sector=rng.choice(SECTORS),
                website=f"https://company-{pk}.example.com",
                status=self.company_status(pk),
            )

    def investors(self) -> Iterator[Investor]:
        rng = self.rng
        for pk in self.ids(Investor, self.plan.investors):
            yield Investor(
                pk=pk,
                slug=f"synthetic-investor-{pk}",
                name_en=f"Synthetic Capital {pk}",
                name_zh=f"合成资本{pk}",
                kind=rng.choice(InvestorKind.values),
                country=rng.choice(COUNTRIES),
                website=f"https://investor-{pk}.example.com",
            )

    def company_id(self) -> int:
        return self.first_id[Company] + skewed(self.rng, self.plan.companies, 1.6)

    def model_releases(self) -> Iterator[ModelRelease]:
        rng = self.rng
        for pk in self.ids(ModelRelease, self.plan.model_releases):
            released_on, precision = partial_date(rng, 2019, 2026)
            source, quote = self.source()
            yield ModelRelease(
                pk=pk,
                company_id=self.company_id(),
                name=f"SYN-{pk}",
                family="SYN",
                released_on=released_on,
                released_on_precision=precision,
                parameters_b=Decimal(rng.randrange(1, 2_000_000)) / 1000 if rng.random() < 0.7 else None,
                open_weights=rng.choice((True, False, None)),
                kind=rng.choice(ReleaseKind.values),
                languages=rng.choice(("zh, en", "zh", "en")),
                source_id=source,
                source_quote=quote,
            )

    def kpis(self, metrics: list[Metric]) -> Iterator[KPI]:
        rng = self.rng
        for pk in self.ids(KPI, self.plan.kpis):
            metric = rng.choice(metrics)
            year = rng.randrange(2018, 2026)
            source, quote = self.source()
            yield KPI(
                pk=pk,
                company_id=self.company_id(),
                metric_id=metric.pk,
                period_start=datetime.date(year, 1, 1),
                period_end=datetime.date(year, 12, 31),
                value=Decimal(rng.randrange(1, 10_000_000)) / 100,
                qualifier=rng.choice(Qualifier.values),
                currency=rng.choice(CURRENCIES) if metric.unit == MetricUnit.MONEY else "",
                scope=rng.choice(("", "China", "worldwide")),
                source_id=source,
                source_quote=quote,
            )

    def listings(self) -> Iterator[Listing]:
        rng = self.rng
        listed = (pk for pk in self.ids(Company, self.plan.companies) if self.company_status(pk) == "listed")
        for pk, company_id in zip(self.ids(Listing, self.plan.companies), listed, strict=False):
            listed_on, precision = partial_date(rng, 2010, 2026)
            currency = rng.choice(CURRENCIES)
            yield Listing(
                pk=pk,
                company_id=company_id,
                kind=ListingKind.IPO,
                exchange=rng.choice(("HKEX", "SSE STAR", "NASDAQ")),
                ticker=f"{company_id % 10000:04d}",
                listed_on=listed_on,
                listed_on_precision=precision,
                offer_price=Decimal(rng.randrange(100, 50_000)) / 100,
                amount_raised=money(rng, 10_000_000, 5_000_000_000),
                currency=currency,
            )

    def write_rounds(self) -> tuple[int, int]:
        """Rounds and their participations, a chunk of rounds at a time."""
        written_rounds = written_participations = 0
        round_ids = iter(self.ids(FundingRound, self.plan.rounds))
        next_participation = self.first_id[Participation]
        while chunk := list(islice(round_ids, CHUNK)):
            rounds, participations = [], []
            for pk in chunk:
                rounds.append(self.funding_round(pk))
                for participation in self.participations(pk):
                    participation.pk = next_participation
                    next_participation += 1
                    participations.append(participation)
            written_rounds += self.write(FundingRound, rounds, report=False)
            written_participations += self.write(Participation, participations, report=False)
            self.progress(FundingRound, written_rounds)
        return written_rounds, written_participations

    def funding_round(self, pk: int) -> FundingRound:
        rng = self.rng
        announced_on, precision = partial_date(rng, 2005, 2026)
        stage = rng.choice(Stage.values)
        amount = currency = None
        if rng.random() < 0.6:
            amount, currency = money(rng, 1_000_000, 2_000_000_000), rng.choice(CURRENCIES)
        pre_money = post_money = None
        valuation_currency = ""
        if rng.random() < 0.4:
            pre_money = money(rng, 10_000_000, 50_000_000_000)
            post_money = pre_money + (amount or money(rng, 1_000_000, 500_000_000))
            valuation_currency = currency or rng.choice(CURRENCIES)
        source, quote = self.source()
        return FundingRound(
            pk=pk,
            company_id=self.company_id(),
            stage=stage,
            label=f"{stage.upper()}轮" if rng.random() < 0.5 else "",
            announced_on=announced_on,
            announced_on_precision=precision,
            amount=amount,
            currency=currency or "",
            pre_money=pre_money,
            post_money=post_money,
            valuation_currency=valuation_currency,
            notes="",
            source_id=source,
            source_quote=quote,
        )

    def participations(self, round_id: int) -> Iterator[Participation]:
        """A lead (with a co-lead one time in five), then participants, some of them follow-ons."""
        rng = self.rng
        size = rng.choice(ROUND_SIZES)
        investors: list[int] = []
        if self.house_id is not None and rng.random() < 0.02:
            investors.append(self.house_id)
        while len(investors) < size:
            pk = self.first_id[Investor] + skewed(rng, self.plan.investors, 2.2)
            if pk not in investors:
                investors.append(pk)
        co_lead = size > 1 and rng.random() < 0.2
        for position, investor_id in enumerate(investors):
            role = (
                Role.LEAD
                if position == 0
                else Role.CO_LEAD
                if position == 1 and co_lead
                else Role.PARTICIPANT
            )
            amount = money(rng, 100_000, 100_000_000) if rng.random() < 0.1 else None
            yield Participation(
                funding_round_id=round_id,
                investor_id=investor_id,
                role=role,
                is_follow_on=role == Role.PARTICIPANT and rng.random() < 0.3,
                amount=amount,
                currency=rng.choice(CURRENCIES) if amount is not None else "",
            )

    def write(
        self, model: type[models.Model], objects: Iterable[models.Model], *, report: bool = True
    ) -> int:
        """Insert `objects` in chunks: `COPY` on PostgreSQL, `bulk_create` elsewhere."""
        written = 0
        objects = iter(objects)
        while chunk := list(islice(objects, CHUNK)):
            if self.connection.vendor == "postgresql":
                self.copy(model, chunk)
            else:
                model.objects.using(self.using).bulk_create(chunk)
            written += len(chunk)
            if report:
                self.progress(model, written)
        return written

    def copy(self, model: type[models.Model], objects: list[models.Model]) -> None:
        """The rows as `bulk_create` would write them (each field's `pre_save` and database value)."""
        fields = model._meta.concrete_fields
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        connection = self.connection
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for obj in objects:
                copy.write_row(
                    [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
                )

    def reset_sequences(self) -> None:
        """Ids were given explicitly: the next record created normally must get the next free one."""
        statements = self.connection.ops.sequence_reset_sql(no_style(), self.models)
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def seed(*, rounds: int, seed: int = 0, using: str = "default", progress: Callable | None = None) -> dict:
    """Add `rounds` synthetic rounds and their companies, investors, participations and other records."""
    return Seeder(rounds=rounds, seed=seed, using=using, progress=progress).run()
