"""Fixtures shared by the whole suite."""

import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: ids repeat across tests, cached values must not."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Passwords made and checked in the test process use a fast hasher: the real one takes a quarter
    of a second each, and hundreds of tests sign someone in. Servers a test starts in a process of
    its own keep the real one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language():
    """A request in Chinese leaves Chinese active in the thread; each test starts from the default."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def article(db) -> None:
    """The article fixture as `make run` loads it: the demo data and the ground truth of many tests."""
    from portfolio.history import history_baseline_create
    from portfolio.management.commands.bootstrap import FIXTURE_CHANGE_REASON

    call_command("loaddata", "article", verbosity=0)
    history_baseline_create(reason=FIXTURE_CHANGE_REASON)


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="pw-root-123456")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def grant(user, *codenames_or_actions: str, apps: tuple[str, ...] = ("companies", "rounds", "fx")):
    """Give `user` the model permissions with these actions ("view", "add", ...) in `apps`."""
    from django.contrib.auth.models import Permission

    actions = tuple(f"{action}_" for action in codenames_or_actions)
    permissions = [
        p
        for p in Permission.objects.filter(content_type__app_label__in=apps)
        if p.codename.startswith(actions)
    ]
    user.user_permissions.add(*permissions)
    return user


@pytest.fixture
def make_api_client(db, django_user_model):
    """An API client authenticated by a bearer token of a new user with the given actions."""
    from rest_framework.test import APIClient

    from portfolio.models import ApiToken

    def make(*actions: str, read_only: bool = False, username: str | None = None) -> APIClient:
        name = username or "user-" + "-".join(actions or ("none",)) + ("-ro" if read_only else "")
        user, _ = django_user_model.objects.get_or_create(username=name)
        grant(user, *actions)
        _, plaintext = ApiToken.issue(user=user, read_only=read_only)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        client.user = user
        return client

    return make


@pytest.fixture
def editor_api(make_api_client):
    return make_api_client("view", "add", "change", "delete", "import", "export", username="editor")


@pytest.fixture
def viewer_api(make_api_client):
    return make_api_client("view", "export", username="viewer")
