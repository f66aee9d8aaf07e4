"""Idempotency-Key on creates: kept per user for a day; failures are not kept; bad keys are refused."""

import datetime

import pytest
from django.utils import timezone

from companies.models import Source
from portfolio.models import IdempotencyKey
from tests.companies.factories import SourceFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/sources/"
BODY = {"title": "IPO B-side", "language": "zh-Hans"}


def post(client, key: str, body: dict = BODY):
    return client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_keys_belong_to_their_user(make_api_client):
    alice = make_api_client("view", "add", username="alice")
    bob = make_api_client("view", "add", username="bob")
    assert post(alice, "same-key").status_code == 201
    response = post(bob, "same-key")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Source.objects.count() == 2


def test_a_key_is_kept_for_24_hours(editor_api):
    first = post(editor_api, "day-old")
    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(hours=24, minutes=1))
    again = post(editor_api, "day-old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert again.data["id"] != first.data["id"]


def test_a_refused_request_keeps_no_key_so_the_corrected_one_can_use_it(editor_api):
    assert post(editor_api, "fix-and-retry", {"title": ""}).status_code == 400
    assert not IdempotencyKey.objects.exists()
    response = post(editor_api, "fix-and-retry")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "é"])
def test_a_malformed_key_is_400_and_creates_nothing(editor_api, key):
    response = editor_api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY=key.encode().decode("latin-1"))
    assert response.status_code == 400
    assert "Idempotency-Key" in response.data
    assert not Source.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_only_a_post_takes_a_key(editor_api, method):
    source = SourceFactory()
    response = getattr(editor_api, method)(
        f"{URL}{source.pk}/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="not-here"
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.data
    assert Source.objects.filter(pk=source.pk, title=source.title).exists()


def test_the_same_body_in_another_key_order_is_the_same_request(editor_api):
    assert post(editor_api, "order", {"title": "T", "language": "en"}).status_code == 201
    replay = post(editor_api, "order", {"language": "en", "title": "T"})
    assert replay["Idempotent-Replayed"] == "true"
    assert Source.objects.count() == 1
