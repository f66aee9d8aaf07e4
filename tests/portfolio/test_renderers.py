"""The API's JSON renderer writes what DRF's own renderer writes."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from portfolio.api.renderers import JSONRenderer

VALUES = [
    {"text": '智谱 “GLM”\u2028next\u2029para\x01\n"', "n": 3, "ok": True, "none": None},
    {"day": datetime.date(2026, 1, 8), "at": datetime.datetime(2026, 1, 8, 9, 30, tzinfo=datetime.UTC)},
    {
        "at": datetime.datetime(
            2026, 1, 8, 9, 30, 0, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
        )
    },
    {"lazy": gettext_lazy("Invalid page."), "nested": [{"a": [1, 2, {"b": "c"}]}]},
    [Decimal("1.50")],
    [],
]


@pytest.mark.parametrize("data", VALUES)
def test_the_same_bytes_as_drfs_renderer(data):
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)


def test_an_indented_answer_is_indented():
    rendered = JSONRenderer().render({"a": 1}, "application/json; indent=2", {})
    assert json.loads(rendered) == {"a": 1} and b"\n  " in rendered
