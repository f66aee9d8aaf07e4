"""Brute force on the admin's login (django-axes): five wrong passwords for a username from one
address lock that pair out for the cool-off, with a clear page; failures are recorded, and staff
unlock the pair in the admin."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "right-pw-7731-portfolio"
LOGIN = reverse("admin:login")


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)


def log_in(client, password: str, *, username: str = "editor", address: str = "203.0.113.7", **headers):
    return client.post(
        f"{LOGIN}?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


def fail(client, times: int, **kwargs) -> None:
    """Wrong passwords: the form again with its error, until the fifth, which locks the login."""
    for attempt in range(1, times + 1):
        response = log_in(client, "wrong-password", **kwargs)
        assert response.status_code == (429 if attempt >= 5 else 200)


def test_the_right_password_after_four_failures_still_logs_in(client, editor):
    fail(client, 4)
    response = log_in(client, PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert not AccessAttempt.objects.exists(), "a success resets the count"


def test_five_failures_lock_the_username_at_that_address_with_a_clear_page(client, editor):
    fail(client, 5)

    response = log_in(client, PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Login locked" in page
    assert "After 5 wrong passwords, logging in as “editor” from this address is locked." in page
    assert "Try again in 15 minutes" in page
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_speaks_chinese(client, editor):
    fail(client, 5)
    page = log_in(client, PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "登录已锁定" in page and "15 分钟" in page


def test_the_lockout_is_per_username_and_address(client, editor, django_user_model):
    django_user_model.objects.create_user("viewer", password=PASSWORD, is_staff=True)
    fail(client, 5)

    assert log_in(client, PASSWORD, address="198.51.100.9").status_code == 302, "another address"
    client.logout()
    assert log_in(client, PASSWORD, username="viewer").status_code == 302, "another username"


def test_failures_are_recorded(client, editor):
    fail(client, 3)
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        "editor",
        "203.0.113.7",
        3,
    )
    assert AccessFailureLog.objects.filter(username="editor").count() == 3


def test_staff_unlock_a_locked_login_in_the_admin(client, admin_client, editor):
    fail(client, 5)
    assert log_in(client, PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get()

    changelist = reverse("admin:axes_accessattempt_changelist")
    assert "editor" in admin_client.get(changelist).content.decode()
    response = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"}
    )
    assert response.status_code == 302

    assert log_in(client, PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, editor):
    fail(client, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert log_in(client, PASSWORD).status_code == 302
