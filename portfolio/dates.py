"""Dates known only to the year or month: a date (the first day of the period) plus a precision."""

import calendar
import datetime
import re

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DatePrecision(models.TextChoices):
    """How much of a date is known; the stored date is the first day of that period."""

    YEAR = "year", _("year")
    MONTH = "month", _("month")
    DAY = "day", _("day")


def precision_field(verbose_name: str, *, default: str = DatePrecision.DAY) -> models.CharField:
    """The companion field of a partial date, named `<date field>_precision` by convention."""
    return models.CharField(
        verbose_name,
        max_length=5,
        choices=DatePrecision.choices,
        default=default,
        help_text=_("How much of the date is known. The date is the first day of the period."),
    )


def partial_date_constraints(field: str) -> list[models.CheckConstraint]:
    """Database checks that the precision is valid and the date is the first day of its period.

    The date's text form is compared, which SQLite stores as-is and PostgreSQL casts, so
    the same constraint holds on both without database functions.
    """
    precision = f"{field}_precision"
    return [
        models.CheckConstraint(
            condition=Q(**{f"{precision}__in": DatePrecision.values}),
            name=f"%(app_label)s_%(class)s_{field}_precision_valid",
            violation_error_message=_("Precision must be year, month or day."),
        ),
        models.CheckConstraint(
            condition=Q(**{f"{field}__isnull": True})
            | Q(**{precision: DatePrecision.DAY})
            | Q(**{precision: DatePrecision.MONTH, f"{field}__endswith": "-01"})
            | Q(**{precision: DatePrecision.YEAR, f"{field}__endswith": "-01-01"}),
            name=f"%(app_label)s_%(class)s_{field}_period_start",
            violation_error_message=_(
                "A date known to the year must be 1 January; one known to the month, the 1st of the month."
            ),
        ),
    ]


def period_start(value: datetime.date | None, precision: str) -> datetime.date | None:
    """The first day of the period a partial date names (2021-07-28 at `year` is 2021-01-01)."""
    if value is None:
        return None
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    return value


def format_partial_date(value: datetime.date | None, precision: str) -> str:
    """The display form of a partial date: "2021", "2021-07" or "2021-07-28"; "" when unknown."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def normalize_partial_dates(instance: models.Model, *fields: str) -> None:
    """Move each partial date of `instance` to the first day of its period before saving."""
    for field in fields:
        precision = getattr(instance, f"{field}_precision")
        setattr(instance, field, period_start(getattr(instance, field), precision))


PARTIAL_DATE_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")
# As Chinese writes it: 2023年, 2023年7月, 2023年7月28日.
CHINESE_DATE_PATTERN = re.compile(r"^(?P<year>\d{4})年(?:(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日)?)?$")


def parse_partial_date(value) -> tuple[datetime.date | None, str]:
    """A partial date and its precision from "2021", "2021-07", "2021-07-28", a date or a year number.

    Spreadsheets hand over dates as date-times and years as numbers; both are accepted.
    Anything else raises ValueError naming the accepted forms.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, DatePrecision.DAY
    if isinstance(value, datetime.datetime):
        return value.date(), DatePrecision.DAY
    if isinstance(value, datetime.date):
        return value, DatePrecision.DAY
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    text = str(value).strip()
    match = PARTIAL_DATE_PATTERN.match(text) or CHINESE_DATE_PATTERN.match(text)
    try:
        if match is None:
            raise ValueError(text)
        year, month, day = (int(part) if part else None for part in match.group("year", "month", "day"))
        precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
        return datetime.date(year, month or 1, day or 1), precision
    except ValueError:
        raise ValueError(
            _("Enter a date as YYYY, YYYY-MM or YYYY-MM-DD, not “%(value)s”.") % {"value": text}
        ) from None


def period_end(value: datetime.date | None, precision: str) -> datetime.date | None:
    """The last day of the period a partial date names (2021 at `year` is 2021-12-31)."""
    if value is None:
        return None
    if precision == DatePrecision.YEAR:
        return value.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        return value.replace(day=calendar.monthrange(value.year, value.month)[1])
    return value
