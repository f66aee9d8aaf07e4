import datetime

import pytest

from portfolio.dates import format_partial_date, period_start

D = datetime.date


@pytest.mark.parametrize(
    ("value", "precision", "start", "shown"),
    [
        (D(2021, 7, 28), "year", D(2021, 1, 1), "2021"),
        (D(2021, 7, 28), "month", D(2021, 7, 1), "2021-07"),
        (D(2021, 7, 28), "day", D(2021, 7, 28), "2021-07-28"),
        (None, "year", None, ""),
    ],
)
def test_partial_dates_start_their_period_and_show_only_what_is_known(value, precision, start, shown):
    assert period_start(value, precision) == start
    assert format_partial_date(start, precision) == shown
