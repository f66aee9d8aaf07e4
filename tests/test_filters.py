"""Every filter of every list, on a data set where each filter tells two records apart.

`test_every_filter_is_tested` fails when a filterset gains a filter this table does not
exercise, and `test_every_model_field_is_filterable` when a model gains a field with no filter.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.filters import (
    CompanyFilterSet,
    KPIFilterSet,
    MetricFilterSet,
    ModelReleaseFilterSet,
    SourceFilterSet,
)
from companies.models import KPI, Company, Metric, ModelRelease, Source
from rounds.filters import (
    FundingRoundFilterSet,
    InvestorFilterSet,
    ListingFilterSet,
    ParticipationFilterSet,
    ValuationMarkFilterSet,
)
from rounds.models import FundingRound, Investor, Listing, Participation, ValuationMark
from tests.companies.factories import (
    CompanyFactory,
    KPIFactory,
    MetricFactory,
    ModelReleaseFactory,
    SourceFactory,
)
from tests.rounds.factories import (
    FundingRoundFactory,
    InvestorFactory,
    ListingFactory,
    ParticipationFactory,
    ValuationMarkFactory,
)

D = datetime.date


@pytest.fixture
def data(db) -> dict:
    """Two of everything, differing in every filterable field."""
    d: dict = {}
    d["article"] = SourceFactory(
        title="达晨IPO B面",
        publisher="达晨财智",
        published_on=D(2026, 1, 1),
        published_on_precision="month",
        language="zh-Hans",
    )
    d["report"] = SourceFactory(
        title="Annual report",
        publisher="Moonshot",
        published_on=D(2025, 5, 5),
        published_on_precision="day",
        language="en",
    )
    d["zhipu"] = CompanyFactory(
        slug="zhipu-ai",
        name_en="Zhipu AI",
        name_zh="智谱",
        aliases="Zhipu",
        status="listed",
        country="CN",
        city="Beijing",
        sector="Large language models",
        founded_on=D(2019, 1, 1),
        founded_on_precision="year",
    )
    d["moonshot"] = CompanyFactory(
        slug="moonshot-ai",
        name_en="Moonshot AI",
        name_zh="月之暗面",
        aliases="Kimi",
        status="private",
        country="SG",
        city="Shanghai",
        sector="Consumer AI",
        founded_on=D(2023, 3, 1),
        founded_on_precision="month",
    )
    d["glm"] = ModelReleaseFactory(
        company=d["zhipu"],
        name="GLM-4.5",
        family="GLM",
        kind="base",
        open_weights=True,
        released_on=D(2025, 7, 28),
        released_on_precision="day",
        parameters_b=None,
        source=d["article"],
    )
    d["kimi"] = ModelReleaseFactory(
        company=d["moonshot"],
        name="Kimi-K2",
        family="Kimi",
        kind="reasoning",
        open_weights=False,
        released_on=D(2024, 1, 1),
        released_on_precision="year",
        parameters_b=Decimal("1000"),
        source=d["report"],
    )
    d["share"] = MetricFactory(
        code="market_share", name_en="Market share", name_zh="市场份额", unit="percent"
    )
    d["downloads"] = MetricFactory(code="downloads", name_en="Downloads", name_zh="下载量", unit="count")
    d["k_share"] = KPIFactory(
        company=d["zhipu"],
        metric=d["share"],
        period_start=D(2024, 1, 1),
        period_end=D(2024, 12, 31),
        value=Decimal("6.6"),
        qualifier="eq",
        scope="China LLM developers",
        source=d["article"],
    )
    d["k_downloads"] = KPIFactory(
        company=d["moonshot"],
        metric=d["downloads"],
        model_release=d["kimi"],
        period_start=D(2025, 1, 1),
        period_end=D(2025, 1, 31),
        value=Decimal("100"),
        qualifier="gt",
        currency="USD",
        scope="Hugging Face",
        source=d["report"],
    )
    d["fortune"] = InvestorFactory(
        slug="fortune-capital",
        name_en="Fortune Capital",
        name_zh="达晨财智",
        aliases="达晨",
        kind="vc",
        country="CN",
        is_house=True,
    )
    d["hongshan"] = InvestorFactory(
        slug="hongshan",
        name_en="HongShan",
        name_zh="红杉中国",
        aliases="Sequoia China",
        kind="pe",
        country="HK",
    )
    d["series_a"] = FundingRoundFactory(
        company=d["zhipu"],
        stage="a",
        label="A轮",
        announced_on=D(2021, 1, 1),
        announced_on_precision="year",
        source=d["article"],
    )
    d["series_b"] = FundingRoundFactory(
        company=d["moonshot"],
        stage="b",
        label="B轮",
        announced_on=D(2023, 6, 15),
        announced_on_precision="day",
        amount=Decimal("1000000000"),
        currency="USD",
        pre_money=Decimal("2000000000"),
        post_money=Decimal("3000000000"),
        valuation_currency="USD",
        source=d["report"],
    )
    d["p_fortune"] = ParticipationFactory(
        funding_round=d["series_a"], investor=d["fortune"], role="lead", source=d["article"]
    )
    d["p_hongshan"] = ParticipationFactory(
        funding_round=d["series_b"],
        investor=d["hongshan"],
        role="co_lead",
        is_follow_on=True,
        amount=Decimal("500000000"),
        currency="USD",
        shares_after=Decimal("1000"),
        ownership_after=Decimal("12.5"),
        source=d["report"],
    )
    d["mark_zhipu"] = ValuationMarkFactory(
        company=d["zhipu"],
        marked_on=D(2025, 6, 30),
        basis="write_down",
        value=Decimal("30000000000"),
        price_per_share=None,
        currency="CNY",
        notes="Marked down after the annual review",
        source=d["article"],
    )
    d["mark_moonshot"] = ValuationMarkFactory(
        company=d["moonshot"],
        marked_on=D(2025, 12, 31),
        basis="last_round",
        value=None,
        price_per_share=Decimal("12.5"),
        currency="USD",
        source=d["report"],
    )
    d["ipo"] = ListingFactory(
        company=d["zhipu"],
        kind="ipo",
        exchange="HKEX",
        ticker="2513",
        listed_on=D(2026, 1, 8),
        listed_on_precision="day",
        source=d["article"],
    )
    d["sale"] = ListingFactory(
        company=d["moonshot"],
        kind="acquisition",
        exchange="",
        ticker="",
        listed_on=D(2025, 1, 1),
        listed_on_precision="year",
        offer_price=Decimal("10"),
        amount_raised=Decimal("500"),
        currency="USD",
        source=d["report"],
    )
    old = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    firsts = (
        "article",
        "zhipu",
        "glm",
        "share",
        "k_share",
        "fortune",
        "series_a",
        "p_fortune",
        "ipo",
        "mark_zhipu",
    )
    for first in firsts:
        type(d[first]).objects.filter(pk=d[first].pk).update(updated_at=old)
    return d


def pk(name):
    return lambda d: d[name].pk


SINCE = "2021-01-01T00:00:00Z"

# resource: (basename, key of a result, [(params, expected names)])
CASES = {
    "sources": (
        "source",
        "id",
        [
            ({"q": "达晨"}, {"article"}),
            ({"q": "Moonshot"}, {"report"}),
            ({"published_on_after": "2026-01-01"}, {"article"}),
            ({"published_on_before": "2025-05-05"}, {"report"}),
            ({"published_on_precision": "month"}, {"article"}),
            ({"published_on_precision": "month,day"}, {"article", "report"}),
            ({"language": "zh-hans"}, {"article"}),
            ({"updated_since": SINCE}, {"report"}),
        ],
    ),
    "companies": (
        "company",
        "slug",
        [
            ({"q": "智谱"}, {"zhipu"}),
            ({"q": "kimi"}, {"moonshot"}),
            ({"q": "Moonshot AI"}, {"moonshot"}),
            ({"q": "  "}, {"zhipu", "moonshot"}),
            ({"city": ""}, {"zhipu", "moonshot"}),
            ({"status": "listed"}, {"zhipu"}),
            ({"status": "listed,private"}, {"zhipu", "moonshot"}),
            ({"country": "sg"}, {"moonshot"}),
            ({"city": "beijing"}, {"zhipu"}),
            ({"sector": "language"}, {"zhipu"}),
            ({"founded_on_after": "2020-01-01"}, {"moonshot"}),
            ({"founded_on_before": "2019-12-31"}, {"zhipu"}),
            ({"founded_on_precision": "month"}, {"moonshot"}),
            ({"in_portfolio": "true"}, {"zhipu"}),
            ({"in_portfolio": "false"}, {"moonshot"}),
            ({"updated_since": SINCE}, {"moonshot"}),
        ],
    ),
    "model-releases": (
        "modelrelease",
        "id",
        [
            ({"q": "GLM"}, {"glm"}),
            ({"q": "月之暗面"}, {"kimi"}),
            ({"company": "zhipu-ai"}, {"glm"}),
            ({"source_id": pk("report")}, {"kimi"}),
            ({"family": "glm"}, {"glm"}),
            ({"kind": "reasoning"}, {"kimi"}),
            ({"open_weights": "true"}, {"glm"}),
            ({"released_on_after": "2025-01-01"}, {"glm"}),
            ({"released_on_before": "2024-12-31"}, {"kimi"}),
            ({"released_on_precision": "year"}, {"kimi"}),
            ({"parameters_b_min": "500"}, {"kimi"}),
            ({"parameters_b_max": "999"}, set()),
            ({"updated_since": SINCE}, {"kimi"}),
        ],
    ),
    "metrics": (
        "metric",
        "id",
        [
            ({"q": "市场"}, {"share"}),
            ({"unit": "count"}, {"downloads"}),
            ({"updated_since": SINCE}, {"downloads"}),
        ],
    ),
    "kpis": (
        "kpi",
        "id",
        [
            ({"q": "hugging"}, {"k_downloads"}),
            ({"q": "智谱"}, {"k_share"}),
            ({"company": "moonshot-ai"}, {"k_downloads"}),
            ({"metric": "market_share"}, {"k_share"}),
            ({"metric_id": pk("downloads")}, {"k_downloads"}),
            ({"model_release_id": pk("kimi")}, {"k_downloads"}),
            ({"source_id": pk("article")}, {"k_share"}),
            ({"qualifier": "gt"}, {"k_downloads"}),
            ({"period_start_after": "2025-01-01"}, {"k_downloads"}),
            ({"period_start_before": "2024-06-30"}, {"k_share"}),
            ({"period_end_after": "2025-01-31"}, {"k_downloads"}),
            ({"period_end_before": "2024-12-31"}, {"k_share"}),
            ({"value_min": "10"}, {"k_downloads"}),
            ({"value_max": "10"}, {"k_share"}),
            ({"currency": "usd"}, {"k_downloads"}),
            ({"updated_since": SINCE}, {"k_downloads"}),
        ],
    ),
    "investors": (
        "investor",
        "slug",
        [
            ({"q": "达晨"}, {"fortune"}),
            ({"q": "sequoia"}, {"hongshan"}),
            ({"kind": "pe"}, {"hongshan"}),
            ({"country": "CN"}, {"fortune"}),
            ({"is_house": "true"}, {"fortune"}),
            ({"updated_since": SINCE}, {"hongshan"}),
        ],
    ),
    "rounds": (
        "fundinground",
        "id",
        [
            ({"q": "智谱"}, {"series_a"}),
            ({"q": "红杉"}, {"series_b"}),
            ({"company": "zhipu-ai"}, {"series_a"}),
            ({"source_id": pk("report")}, {"series_b"}),
            ({"stage": "a"}, {"series_a"}),
            ({"stage": "a,b"}, {"series_a", "series_b"}),
            ({"announced_on_after": "2022-01-01"}, {"series_b"}),
            ({"announced_on_before": "2021-12-31"}, {"series_a"}),
            ({"announced_on_after": "2021-01-01", "announced_on_before": "2021-01-01"}, {"series_a"}),
            ({"announced_on_precision": "day"}, {"series_b"}),
            ({"amount_min": "1000000000"}, {"series_b"}),
            ({"amount_max": "999999999"}, set()),
            ({"currency": "USD"}, {"series_b"}),
            ({"pre_money_min": "1"}, {"series_b"}),
            ({"post_money_max": "3000000000"}, {"series_b"}),
            ({"investor": "fortune-capital"}, {"series_a"}),
            ({"lead_investor": "hongshan"}, {"series_b"}),
            ({"in_portfolio": "true"}, {"series_a"}),
            ({"in_portfolio": "false"}, {"series_b"}),
            ({"updated_since": SINCE}, {"series_b"}),
        ],
    ),
    "participations": (
        "participation",
        "id",
        [
            ({"q": "达晨"}, {"p_fortune"}),
            ({"q": "月之暗面"}, {"p_hongshan"}),
            ({"round": pk("series_a")}, {"p_fortune"}),
            ({"investor": "hongshan"}, {"p_hongshan"}),
            ({"company": "zhipu-ai"}, {"p_fortune"}),
            ({"source_id": pk("article")}, {"p_fortune"}),
            ({"role": "co_lead"}, {"p_hongshan"}),
            ({"is_follow_on": "false"}, {"p_fortune"}),
            ({"amount_min": "1"}, {"p_hongshan"}),
            ({"currency": "usd"}, {"p_hongshan"}),
            ({"shares_after_min": "1000"}, {"p_hongshan"}),
            ({"ownership_after_max": "12"}, set()),
            ({"ownership_after_min": "12.5"}, {"p_hongshan"}),
            ({"updated_since": SINCE}, {"p_hongshan"}),
        ],
    ),
    "listings": (
        "listing",
        "id",
        [
            ({"q": "2513"}, {"ipo"}),
            ({"q": "kimi"}, {"sale"}),
            ({"company": "moonshot-ai"}, {"sale"}),
            ({"source_id": pk("report")}, {"sale"}),
            ({"kind": "acquisition"}, {"sale"}),
            ({"exchange": "hkex"}, {"ipo"}),
            ({"ticker": "2513"}, {"ipo"}),
            ({"listed_on_after": "2026-01-08"}, {"ipo"}),
            ({"listed_on_before": "2025-12-31"}, {"sale"}),
            ({"listed_on_precision": "year"}, {"sale"}),
            ({"offer_price_min": "5"}, {"sale"}),
            ({"amount_raised_max": "499"}, set()),
            ({"currency": "USD"}, {"sale"}),
            ({"updated_since": SINCE}, {"sale"}),
        ],
    ),
    "valuation-marks": (
        "valuationmark",
        "id",
        [
            ({"q": "annual review"}, {"mark_zhipu"}),
            ({"q": "月之暗面"}, {"mark_moonshot"}),
            ({"company": "zhipu-ai"}, {"mark_zhipu"}),
            ({"source_id": pk("report")}, {"mark_moonshot"}),
            ({"basis": "write_down"}, {"mark_zhipu"}),
            ({"basis": "write_down,last_round"}, {"mark_zhipu", "mark_moonshot"}),
            ({"marked_on_after": "2025-07-01"}, {"mark_moonshot"}),
            ({"marked_on_before": "2025-06-30"}, {"mark_zhipu"}),
            ({"value_min": "1"}, {"mark_zhipu"}),
            ({"price_per_share_max": "12.5"}, {"mark_moonshot"}),
            ({"currency": "cny"}, {"mark_zhipu"}),
            ({"updated_since": SINCE}, {"mark_moonshot"}),
        ],
    ),
}
FILTERSETS = {
    "sources": SourceFilterSet,
    "companies": CompanyFilterSet,
    "model-releases": ModelReleaseFilterSet,
    "metrics": MetricFilterSet,
    "kpis": KPIFilterSet,
    "investors": InvestorFilterSet,
    "rounds": FundingRoundFilterSet,
    "participations": ParticipationFilterSet,
    "listings": ListingFilterSet,
    "valuation-marks": ValuationMarkFilterSet,
}
FILTER_CASES = [
    pytest.param(
        resource, params, expected, id=f"{resource}-{'&'.join(params)}={'|'.join(map(str, params.values()))}"
    )
    for resource, (_, _, cases) in CASES.items()
    for params, expected in cases
]


def results(client, basename: str, params: dict) -> list[dict]:
    response = client.get(reverse(f"api:{basename}-list"), params)
    assert response.status_code == 200, response.data
    return response.data["results"]


@pytest.mark.parametrize(("resource", "params", "expected"), FILTER_CASES)
def test_filter(viewer_api, data, resource, params, expected):
    basename, key, _ = CASES[resource]
    params = {name: value(data) if callable(value) else value for name, value in params.items()}
    found = {item[key] for item in results(viewer_api, basename, params)}
    assert found == {getattr(data[name], key if key != "id" else "pk") for name in expected}


def filter_name(param: str, filterset) -> str:
    if param in filterset.base_filters:
        return param
    return param.rsplit("_", 1)[0]


@pytest.mark.parametrize("resource", list(FILTERSETS))
def test_every_filter_is_tested(resource):
    filterset = FILTERSETS[resource]
    tested = {filter_name(param, filterset) for params, _ in CASES[resource][2] for param in params}
    assert set(filterset.base_filters) - tested - {"ordering"} == set()


@pytest.mark.parametrize("resource", list(FILTERSETS))
def test_ordering(viewer_api, data, resource):
    basename, key, _ = CASES[resource]
    forward = [item[key] for item in results(viewer_api, basename, {"ordering": "updated_at"})]
    backward = [item[key] for item in results(viewer_api, basename, {"ordering": "-updated_at"})]
    assert forward == backward[::-1] and len(forward) >= 2


@pytest.mark.parametrize("resource", list(FILTERSETS))
@pytest.mark.parametrize(
    "params",
    [
        {"ordering": "no_such_field"},
        {"updated_since": "yesterday"},
        {"no_such_filter": "1"},
        {"page_size": "1001"},
        {"page_size": "0"},
        {"page": "first"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()),
)
def test_bad_parameters_are_400_naming_the_parameter(viewer_api, db, resource, params):
    basename, _, _ = CASES[resource]
    response = viewer_api.get(reverse(f"api:{basename}-list"), params)
    assert response.status_code == 400, response.data
    assert set(params) <= set(response.data)


@pytest.mark.parametrize(
    ("basename", "params"),
    [
        ("fundinground", {"stage": "z"}),
        ("fundinground", {"stage": "a,z"}),
        ("fundinground", {"announced_on_after": "2021-13-01"}),
        ("fundinground", {"amount_min": "-1"}),
        ("fundinground", {"amount_max": "lots"}),
        ("fundinground", {"source_id": "abc"}),
        ("fundinground", {"source_id": "0"}),
        ("fundinground", {"source_id": "-280525208613613240320"}),
        ("kpi", {"model_release_id": "99999999999999999999"}),
        ("fundinground", {"announced_on_after": "2021-1-1"}),
        ("fundinground", {"updated_since": "2026-01-01"}),
        ("fundinground", {"updated_since": "2026-01-01T00:00:00"}),
        ("fundinground", {"updated_since": ""}),
        ("fundinground", {"amount_min": ""}),
        ("fundinground", {"announced_on_after": ""}),
        ("fundinground", {"in_portfolio": ""}),
        ("fundinground", {"stage": ""}),
        ("fundinground", {"stage": "a,,b"}),
        ("fundinground", {"company": ""}),
        ("kpi", {"source_id": "1,"}),
        ("fundinground", {"amount_min": "1e30"}),
        ("kpi", {"value_max": "1e300"}),
        ("fundinground", {"in_portfolio": "maybe"}),
        ("kpi", {"value_min": "x"}),
        ("company", {"status": "bankrupt"}),
        ("modelrelease", {"released_on_before": "July 2025"}),
        ("modelrelease", {"open_weights": "perhaps"}),
    ],
)
def test_bad_filter_values_are_400_naming_the_parameter(viewer_api, db, basename, params):
    response = viewer_api.get(reverse(f"api:{basename}-list"), params)
    assert response.status_code == 400, response.data
    names = {name.rsplit("_", 1)[0] for name in params} | set(params)
    assert names & set(response.data)


@pytest.mark.parametrize(
    ("basename", "params"),
    [
        ("fundinground", {"company": "no-such-company"}),
        ("fundinground", {"investor": "nobody"}),
        ("fundinground", {"lead_investor": "nobody,no-one"}),
        ("kpi", {"metric": "no_such_metric"}),
        ("participation", {"round": "999999"}),
        ("modelrelease", {"source_id": "123456789"}),
    ],
)
def test_unknown_slugs_and_ids_match_nothing(viewer_api, data, basename, params):
    assert results(viewer_api, basename, params) == []


def test_several_slugs_comma_separated(viewer_api, data):
    found = {r["slug"] for r in results(viewer_api, "company", {"q": ""})}
    assert found == {"zhipu-ai", "moonshot-ai"}
    rounds = results(viewer_api, "fundinground", {"company": "zhipu-ai,moonshot-ai"})
    assert len(rounds) == 2


def test_updated_since_takes_an_offset(viewer_api, data):
    later = results(viewer_api, "fundinground", {"updated_since": "2021-01-01T08:00:00+08:00"})
    assert [r["id"] for r in later] == [data["series_b"].pk]


# Model fields that are prose, URLs or internal; everything else must be filterable.
NOT_FILTERED = {
    "id",
    "slug",
    "name_en",
    "name_zh",
    "legal_name",
    "aliases",
    "summary",
    "website",
    "url",
    "title",
    "publisher",
    "description",
    "notes",
    "source_quote",
    "label",
    "name",
    "languages",
    "scope",
    "code",
    "created_at",
    "updated_at",
    # Clients compare versions (ETag, If-Match); changes are followed with updated_since or /changes/.
    "version",
    "funding_round",
    "valuation_currency",
    "investors",
}
FILTERED_AS = {"founded_on_precision", "published_on_precision"}
MODELS = {
    "sources": Source,
    "companies": Company,
    "model-releases": ModelRelease,
    "metrics": Metric,
    "kpis": KPI,
    "investors": Investor,
    "rounds": FundingRound,
    "participations": Participation,
    "listings": Listing,
    "valuation-marks": ValuationMark,
}


@pytest.mark.parametrize("resource", list(MODELS))
def test_every_model_field_is_filterable(resource):
    model, filterset = MODELS[resource], FILTERSETS[resource]
    fields = {f.name for f in model._meta.get_fields() if f.concrete and not f.auto_created}
    filtered = set(filterset.base_filters) | {name.removesuffix("_id") for name in filterset.base_filters}
    if model is Participation:
        filtered.add("funding_round")
    missing = fields - filtered - NOT_FILTERED
    assert missing == set(), f"{resource} has no filter for {sorted(missing)}"


def test_a_repeated_parameter_is_400(viewer_api, data):
    response = viewer_api.get(reverse("api:fundinground-list") + "?stage=a&stage=b")
    assert response.status_code == 400
    assert "stage" in response.data


@pytest.mark.parametrize("export_format", [None, "csv"])
def test_updated_since_with_any_rfc_3339_offset(viewer_api, data, export_format):
    params = {"updated_since": "2021-01-01T00:00:00+16:00"}
    if export_format:
        params["format"] = export_format
    response = viewer_api.get(reverse("api:fundinground-list"), params)
    assert response.status_code == 200


def test_updated_since_out_of_range_is_400(viewer_api, data):
    response = viewer_api.get(
        reverse("api:fundinground-list"), {"updated_since": "0001-01-01T00:00:00+16:00"}
    )
    assert response.status_code == 400
    assert "updated_since" in response.data
