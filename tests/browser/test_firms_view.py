"""The firm's view in a browser: the overview and a company's page, in English and Chinese, draw their
charts (Chart.js, served by the app) with the points of their tables, and fit a 1440 px screen.

Screenshots of each page go to test-artifacts/browser/firms_view-en/ and firms_view-zh-hans/.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from companies.models import KPI, Company
from tests.browser.conftest import PASSWORDS, signed_in_page
from tests.browser.test_page_widths import PAGE_WIDTH
from tests.portfolios import hand_computed_portfolio

pytestmark = pytest.mark.browser

SCREEN = {"width": 1440, "height": 900}
LANGUAGES = {"en": "en", "zh-hans": "zh-Hans"}

# The points a chart drew: its labels and each dataset's values, as Chart.js holds them.
CHART_POINTS = """(id) => {
  const chart = Chart.getChart(document.getElementById(id));
  if (!chart) return null;
  const canvas = chart.canvas;
  return {
    labels: chart.data.labels,
    data: chart.data.datasets.map((dataset) => dataset.data),
    drawn: chart.getDatasetMeta(0).data.length,
    width: canvas.width,
    height: canvas.height,
  };
}"""


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_overview_and_a_company_page_draw_their_charts(
    live_server, staff, browser: Browser, artifacts, language
):
    hand_computed_portfolio()
    server = live_server.url
    page, refused = signed_in_page(
        browser, server, "viewer", PASSWORDS["viewer"], language=LANGUAGES[language], screen=SCREEN
    )

    # The home page, the first after signing in, is the overview; as of a day the test's rates cover.
    expect(page.locator("#portfolio-overview h1")).to_be_visible()
    page.goto(f"{server}{reverse('admin:index')}?as_of=2025-12-31")
    heading = (
        "The portfolio as of 2025-12-31, in USD" if language == "en" else "截至 2025-12-31 的投资组合（USD）"
    )
    expect(page.locator("#portfolio-overview h1")).to_have_text(heading)
    expect(page.locator("#positions tbody tr")).to_have_count(4)  # Alpha, Beta, Gamma and the article's Zhipu
    expect(page.locator('#positions tr[data-company="alpha"] td.cost')).to_have_text("8,125,000.00")

    cost_and_value = page.evaluate(CHART_POINTS, "chart-cost-value")
    assert cost_and_value["drawn"] == 4 and len(cost_and_value["labels"]) == 4
    assert cost_and_value["data"] == [[8125000, 1250000, None, None], [8666666.67, 3333333.33, None, None]]
    assert cost_and_value["width"] > 300 and cost_and_value["height"] > 200
    invested = page.evaluate(CHART_POINTS, "chart-invested")
    assert invested["labels"] == ["2021-12-31", "2022-05-10", "2024-03-31"]
    assert invested["data"] == [[3125000, 4375000, 9375000]]
    expect(page.locator("#invested tbody tr")).to_have_count(5)  # every investment, counted or not
    assert page.evaluate(PAGE_WIDTH) <= SCREEN["width"]
    page.screenshot(path=artifacts / f"overview-{language}.png", full_page=True)

    # Sorting by a column is a click on its header.
    page.locator("#positions thead th.sortable a", has_text="MOIC").click()
    expect(page.locator("#positions tbody tr").first).to_have_attribute("data-company", "alpha")
    page.locator("#positions thead th.sortable a", has_text="MOIC").click()
    expect(page.locator("#positions tbody tr").first).to_have_attribute("data-company", "beta")
    expect(page.locator("#portfolio-overview h1")).to_have_text(heading)  # still as of the same day

    # A company's page: its position, rounds with the firm's row marked, marks, and KPIs over time.
    zhipu = Company.objects.get(slug="zhipu-ai")
    page.goto(f"{server}{reverse('admin:companies_company_change', args=[zhipu.pk])}")
    expect(page.locator("#company-position")).to_be_visible()
    expect(page.locator("#company-rounds tr.house-investor")).to_have_count(1)
    charts = page.locator("#company-kpis canvas")
    metrics = {kpi.metric.code for kpi in KPI.objects.filter(company=zhipu).select_related("metric")}
    expect(charts).to_have_count(len(metrics))
    for code in metrics:
        points = page.evaluate(CHART_POINTS, f"kpi-chart-{code}")
        dated = KPI.objects.filter(company=zhipu, metric__code=code).exclude(
            period_end=None, period_start=None
        )
        assert points["drawn"] == dated.count() == len(points["labels"]), code
        table = page.locator(f'figure[data-metric="{code}"] table tbody tr')
        expect(table).to_have_count(KPI.objects.filter(company=zhipu, metric__code=code).count())
    assert page.evaluate(PAGE_WIDTH) <= SCREEN["width"]
    page.screenshot(path=artifacts / f"company-{language}.png", full_page=True)

    alpha = Company.objects.get(slug="alpha")
    page.goto(f"{server}{reverse('admin:companies_company_change', args=[alpha.pk])}")
    expect(page.locator("#position-figures td.cost")).to_contain_text("8,125,000.00")
    expect(page.locator("#company-marks tbody tr")).to_have_count(1)
    assert page.evaluate(PAGE_WIDTH) <= SCREEN["width"]
    page.context.close()
    assert not refused, f"blocked by the Content-Security-Policy: {refused}"
