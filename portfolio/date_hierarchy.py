"""The admin's date drill-down for partial dates: a date known to the year is found under its year,
never under "January" or "January 1" of it.

Django's drill-down reads the stored date, the first day of the period, so a round announced
"in 2021" would be listed as on 1 January 2021. Here a month is offered only for records known
to the month or the day, a day only for those known to the day, and the list at a month or a
day shows only the records known that precisely.
"""

import datetime

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from portfolio.dates import DatePrecision

# The precisions a record needs to be listed at each level of the drill-down.
AT_LEAST_MONTH = (DatePrecision.MONTH, DatePrecision.DAY)


def partial_date_field(cl) -> str | None:
    """The list's drill-down field when it is a partial date, else None."""
    name = cl.date_hierarchy
    return name if name and name in getattr(cl.model, "partial_date_fields", ()) else None


def known_to(queryset: models.QuerySet, name: str, params: dict) -> models.QuerySet:
    """The records precise enough for the level of the drill-down that `params` selects."""
    if params.get(f"{name}__day"):
        return queryset.filter(**{f"{name}_precision": DatePrecision.DAY})
    if params.get(f"{name}__month"):
        return queryset.filter(**{f"{name}_precision__in": AT_LEAST_MONTH})
    return queryset


class PartialDateChangeList(ChangeList):
    """A list drilled down to a month or a day shows only the records known to that month or day.

    A drill-down to a year no date can have (`?announced_on__year=99999999999`, or 9999, whose
    next year Django computes) is a wrong address, as a malformed one is, not a server error.
    """

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        name = partial_date_field(self)
        return known_to(queryset, name, self.params) if name else queryset


def partial_date_hierarchy(cl) -> dict:
    """The context of Django's `admin/date_hierarchy.html`: the years, then the months of the chosen
    year, then the days of the chosen month, each from the records known that precisely."""
    name = partial_date_field(cl)
    year, month, day = (cl.params.get(f"{name}__{part}") for part in ("year", "month", "day"))
    lookups = {"year": f"{name}__year", "month": f"{name}__month", "day": f"{name}__day"}

    def link(filters: dict) -> str:
        return cl.get_query_string(filters, [f"{name}__"])

    try:
        if year and month and day:
            chosen = datetime.date(int(year), int(month), int(day))
            return {
                "show": True,
                "back": {
                    "link": link({lookups["year"]: year, lookups["month"]: month}),
                    "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
                },
                "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
            }
    except ValueError:
        return {"show": False}
    if year and month:
        days = cl.queryset.filter(**{f"{name}_precision": DatePrecision.DAY}).dates(name, "day")
        return {
            "show": True,
            "back": {"link": link({lookups["year"]: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({lookups["year"]: year, lookups["month"]: month, lookups["day"]: date.day}),
                    "title": capfirst(formats.date_format(date, "MONTH_DAY_FORMAT")),
                }
                for date in days
            ],
        }
    if year:
        months = cl.queryset.filter(**{f"{name}_precision__in": AT_LEAST_MONTH}).dates(name, "month")
        return {
            "show": True,
            "back": {"link": link({}), "title": _("All dates")},
            "choices": [
                {
                    "link": link({lookups["year"]: year, lookups["month"]: date.month}),
                    "title": capfirst(formats.date_format(date, "YEAR_MONTH_FORMAT")),
                }
                for date in months
            ],
        }
    return {
        "show": True,
        "back": None,
        "choices": [
            {"link": link({lookups["year"]: str(date.year)}), "title": str(date.year)}
            for date in cl.queryset.dates(name, "year")
        ],
    }
