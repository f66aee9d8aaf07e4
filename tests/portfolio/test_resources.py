"""The cell readers every spreadsheet import shares: what they accept, and what they say when refusing."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import translation

from companies.choices import CompanyStatus
from companies.models import Company
from portfolio.dates import parse_partial_date
from portfolio.resources import (
    ChoiceWidget,
    NaturalKeyListWidget,
    NaturalKeyWidget,
    RecordIdWidget,
    StrictBooleanWidget,
    StrictDecimalWidget,
    TextWidget,
)
from rounds.choices import Stage
from tests.companies.factories import CompanyFactory, SourceFactory


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2021", (datetime.date(2021, 1, 1), "year")),
        (" 2021-07 ", (datetime.date(2021, 7, 1), "month")),
        ("2021-07-28", (datetime.date(2021, 7, 28), "day")),
        (2021, (datetime.date(2021, 1, 1), "year")),
        (2021.0, (datetime.date(2021, 1, 1), "year")),
        (datetime.datetime(2021, 7, 28), (datetime.date(2021, 7, 28), "day")),
        (datetime.date(2021, 7, 28), (datetime.date(2021, 7, 28), "day")),
        ("", (None, "day")),
        (None, (None, "day")),
    ],
)
def test_partial_dates_in_every_spelling_a_spreadsheet_hands_over(cell, expected):
    assert parse_partial_date(cell) == expected


@pytest.mark.parametrize("cell", ["2021-7", "21", "2021-13", "2021-02-30", "0000", "July 2021", True, 2021.5])
def test_malformed_partial_dates_name_the_accepted_forms(cell):
    with pytest.raises(ValueError, match="YYYY, YYYY-MM or YYYY-MM-DD"):
        parse_partial_date(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("listed", "listed"), ("Listed", "listed"), ("LISTED", "listed"), ("已上市", "listed"), ("", "")],
)
def test_choices_by_code_or_by_english_or_chinese_label(cell, expected):
    assert ChoiceWidget(CompanyStatus).clean(cell) == expected


def test_an_unknown_choice_lists_the_labels_in_the_readers_language():
    with pytest.raises(ValueError, match="“public” is not one of: private, listed, acquired, closed"):
        ChoiceWidget(CompanyStatus).clean("public")
    with translation.override("zh-hans"), pytest.raises(ValueError, match="已上市"):
        ChoiceWidget(CompanyStatus).clean("public")
    with pytest.raises(ValueError, match="Series A, Series A\\+"):
        ChoiceWidget(Stage).clean("Series Z")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("yes", True), ("TRUE", True), (1, True), (1.0, True), ("是", True), ("no", False), ("0", False)],
)
def test_booleans(cell, expected):
    assert StrictBooleanWidget().clean(cell) is expected


def test_an_empty_boolean_cell_keeps_the_current_value_and_nonsense_is_an_error():
    assert StrictBooleanWidget().clean("") is None
    with pytest.raises(ValueError, match="Enter yes or no"):
        StrictBooleanWidget().clean("maybe")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("1500000.00", Decimal("1500000.00")), ("1,500,000", Decimal("1500000")), (0.066, Decimal("0.066"))],
)
def test_numbers(cell, expected):
    assert StrictDecimalWidget().clean(cell) == expected


@pytest.mark.parametrize("cell", ["abc", "NaN", "Infinity", True])
def test_text_that_is_no_number_is_an_error(cell):
    with pytest.raises(ValueError, match="Enter a number"):
        StrictDecimalWidget().clean(cell)


def test_text_cells_are_trimmed_and_never_null():
    assert TextWidget().clean(None) == ""
    assert TextWidget().clean("  智谱 ") == "智谱"
    assert TextWidget().clean(2021.0) == "2021"


@pytest.mark.django_db
def test_related_records_by_natural_key():
    company = CompanyFactory(slug="zhipu-ai")
    widget = NaturalKeyWidget(Company, field="slug")
    assert widget.clean(" zhipu-ai ") == company
    assert widget.clean("") is None
    with pytest.raises(ValueError, match="No company has the slug “nobody”"):
        widget.clean("nobody")


@pytest.mark.django_db
def test_sources_by_id():
    from companies.models import Source

    source = SourceFactory()
    assert RecordIdWidget(Source).clean(str(source.pk)) == source
    assert RecordIdWidget(Source).clean(float(source.pk)) == source
    with pytest.raises(ValueError, match="Enter the id of a source"):
        RecordIdWidget(Source).clean("the article")
    with pytest.raises(ValueError, match="Enter the id of a source"):
        RecordIdWidget(Source).clean("9" * 25)
    with pytest.raises(ValueError, match="No source has the ID"):
        RecordIdWidget(Source).clean("999999")


@pytest.mark.django_db
def test_lists_of_natural_keys_keep_their_order_and_name_every_unknown_key():
    first, second = CompanyFactory(slug="a-co"), CompanyFactory(slug="b-co")
    widget = NaturalKeyListWidget(Company, "slug")
    assert widget.clean("b-co; a-co;b-co") == [second, first]
    assert widget.clean("") == []
    assert widget.render([first, second]) == "a-co; b-co"
    with pytest.raises(
        ValueError, match=re.escape("No company has the slug “x-co”. No company has the slug “y-co”.")
    ):
        widget.clean("a-co; x-co; y-co")


@pytest.mark.django_db
@pytest.mark.parametrize("cell", ["zhipu-ai", "Zhipu AI", "智谱", "Zhipu AI (智谱)"])
def test_a_record_by_its_slug_its_english_or_chinese_name_or_the_exports_label(cell):
    company = CompanyFactory(slug="zhipu-ai", name_en="Zhipu AI", name_zh="智谱")
    CompanyFactory(slug="other", name_en="Other", name_zh="其他")
    widget = NaturalKeyWidget(Company, field="slug", names=("name_en", "name_zh"))
    assert widget.clean(cell) == company
    assert NaturalKeyListWidget(Company, "slug", ("name_en", "name_zh")).clean(f"{cell}; other") == [
        company,
        Company.objects.get(slug="other"),
    ]


@pytest.mark.django_db
def test_a_name_shared_by_two_records_must_be_written_as_the_slug():
    CompanyFactory(slug="a-co", name_en="Same"), CompanyFactory(slug="b-co", name_en="Same")
    widget = NaturalKeyWidget(Company, field="slug", names=("name_en", "name_zh"))
    with pytest.raises(ValueError, match=re.escape("“Same” names several company records; write its slug.")):
        widget.clean("Same")
    with pytest.raises(ValueError, match=re.escape("No company has the slug or name “Nobody”.")):
        widget.clean("Nobody")


@pytest.mark.django_db
def test_sources_by_id_title_or_address():
    from companies.models import Source

    source = SourceFactory(title="达晨财智谈智谱", url="https://example.com/article")
    widget = RecordIdWidget(Source, names=("title", "url"))
    for cell in (str(source.pk), "达晨财智谈智谱", "https://example.com/article"):
        assert widget.clean(cell) == source
    with pytest.raises(ValueError, match=re.escape("No source has the ID or name “Another article”.")):
        widget.clean("Another article")


@pytest.mark.django_db
def test_an_import_looks_each_natural_key_up_once(article):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rounds.resources import FundingRoundResource
    from tests.helpers import import_file

    header = "company,stage,label,announced_on,lead_investors,participants"
    rows = [f"zhipu-ai,b,B{n},2022,fortune-capital,no-such-fund" for n in range(20)]
    with CaptureQueriesContext(connection) as queries:
        result = import_file(FundingRoundResource(), "\n".join([header, *rows]), dry_run=True)

    assert len(result.invalid_rows) == 20, "every row names the unknown investor"
    assert all("no-such-fund" in str(row.error_dict["participants"]) for row in result.invalid_rows)
    by_slug = [q["sql"] for q in queries.captured_queries if '"slug" =' in q["sql"]]
    investors = [sql for sql in by_slug if 'FROM "rounds_investor"' in sql]
    companies = [sql for sql in by_slug if 'FROM "companies_company"' in sql]
    assert (len(investors), len(companies)) == (2, 1), by_slug
