"""API conventions shared by every resource: authentication, tokens, pagination, errors, schema, health."""

import io
import json
import re
from html import unescape as html_unescape

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portfolio.api.authentication import TokenLookup
from portfolio.models import ApiToken, hash_token
from rounds.models import FundingRound
from tests.companies.factories import CompanyFactory
from tests.rounds.factories import FundingRoundFactory

pytestmark = pytest.mark.django_db


def columns(record) -> dict:
    return {field.attname: getattr(record, field.attname) for field in record._meta.concrete_fields}


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


class TestTokens:
    def test_issue_token_prints_a_token_stored_only_as_a_hash(self, django_user_model):
        user = django_user_model.objects.create_user("svc")
        out = io.StringIO()
        call_command("issue_token", "svc", "--name", "crm sync", stdout=out)
        plaintext = out.getvalue().strip()
        token = ApiToken.objects.get(user=user)
        assert token.key_hash == hash_token(plaintext)
        assert plaintext not in {token.key_hash, token.key_prefix, token.name}
        assert plaintext.startswith(token.key_prefix)
        assert (token.name, token.read_only) == ("crm sync", False)

    def test_read_only_flag(self, django_user_model):
        django_user_model.objects.create_user("reader")
        call_command("issue_token", "reader", "--read-only", stdout=io.StringIO())
        assert ApiToken.objects.get().read_only

    def test_unknown_user_is_an_error(self):
        with pytest.raises(CommandError):
            call_command("issue_token", "ghost", stdout=io.StringIO())

    def test_token_authenticates_and_records_use(self, viewer_api):
        assert viewer_api.get(reverse("api:company-list")).status_code == 200
        assert ApiToken.objects.get(user=viewer_api.user).last_used_at is not None

    def test_revoked_token_is_401(self, viewer_api):
        ApiToken.objects.get(user=viewer_api.user).revoke()
        assert viewer_api.get(reverse("api:company-list")).status_code == 401

    def test_token_of_an_inactive_user_is_401(self, viewer_api):
        viewer_api.user.is_active = False
        viewer_api.user.save()
        assert viewer_api.get(reverse("api:company-list")).status_code == 401

    def test_the_lookup_reads_the_token_and_its_user_as_the_orm_does(self, django_user_model):
        user = django_user_model.objects.create_user(
            "svc", email="svc@example.com", last_login=timezone.now()
        )
        token, plaintext = ApiToken.issue(user=user, read_only=True, name="crm sync")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        found = TokenLookup.of("default").find(hash_token(plaintext))
        expected = ApiToken.objects.active().select_related("user").get(pk=token.pk)
        assert columns(found) == columns(expected) and columns(found.user) == columns(expected.user)
        assert type(found.last_used_at) is type(expected.last_used_at)  # moments, also from SQLite's text
        assert found.user.is_active is True and found.user.last_login is not None
        assert TokenLookup.of("default").find(hash_token("pft_unknown")) is None
        user.is_active = False
        user.save()
        assert TokenLookup.of("default").find(hash_token(plaintext)) is None
        user.is_active = True
        user.save()
        token.revoke()
        assert TokenLookup.of("default").find(hash_token(plaintext)) is None

    @pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer", "Bearer a b", "Token abc"])
    def test_bad_credentials_are_401(self, header):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.get(reverse("api:company-list")).status_code == 401

    def test_tokens_are_listed_and_revoked_in_the_admin(self, admin_client, viewer_api):
        token = ApiToken.objects.get(user=viewer_api.user)
        changelist = reverse("admin:portfolio_apitoken_changelist")
        assert token.key_prefix in admin_client.get(changelist).content.decode()
        response = admin_client.post(changelist, {"action": "revoke", "_selected_action": [token.pk]})
        assert response.status_code == 302
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert viewer_api.get(reverse("api:company-list")).status_code == 401

    def test_admin_shows_a_new_token_once(self, admin_client, superuser):
        response = admin_client.post(
            reverse("admin:portfolio_apitoken_add"),
            {"user": superuser.pk, "name": "etl", "read_only": "on"},
            follow=True,
        )
        [message] = [str(m) for m in response.context["messages"] if "only this once" in str(m)]
        plaintext = re.search(r"pft_\S+", message).group()
        token = ApiToken.objects.get(name="etl")
        assert token.read_only and token.key_hash == hash_token(plaintext)
        assert bearer(plaintext).get(reverse("api:company-list")).status_code == 200


class TestSessionAuthentication:
    def test_admin_session_reads_the_api(self, admin_client):
        assert admin_client.get(reverse("api:company-list")).status_code == 200

    def test_session_writes_need_csrf(self, superuser):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(superuser)
        response = client.post(reverse("api:company-list"), {"slug": "x", "name_en": "X"}, format="json")
        assert response.status_code == 403


class TestPagination:
    def test_default_page_size_is_50_and_links_are_given(self, viewer_api):
        CompanyFactory.create_batch(51)
        data = viewer_api.get(reverse("api:company-list")).data
        assert (data["count"], len(data["results"]), data["previous"]) == (51, 50, None)
        assert "page=2" in data["next"]

    def test_page_size_up_to_1000(self, viewer_api):
        CompanyFactory.create_batch(3)
        data = viewer_api.get(reverse("api:company-list"), {"page_size": 1000}).data
        assert len(data["results"]) == 3

    def test_page_past_the_end_is_404(self, viewer_api):
        assert viewer_api.get(reverse("api:company-list"), {"page": 5}).status_code == 404

    def test_exports_are_not_paginated(self, viewer_api):
        CompanyFactory.create_batch(60)
        response = viewer_api.get(reverse("api:company-list"), {"format": "json"})
        assert len(json.loads(b"".join(response.streaming_content))) == 60


class TestBadBodies:
    """Bad input gets 400 with field-level messages and changes nothing."""

    @pytest.fixture
    def round_url(self):
        CompanyFactory(slug="zhipu-ai")
        return reverse("api:fundinground-list")

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"stage": "series-z"}, "stage"),
            ({"announced_on": "2021-02-30"}, "announced_on"),
            ({"announced_on": "last spring"}, "announced_on"),
            ({"announced_on_precision": "week"}, "announced_on_precision"),
            ({"amount": "-1", "currency": "CNY"}, "amount"),
            ({"amount": "ten", "currency": "CNY"}, "amount"),
            ({"amount": 1e30, "currency": "CNY"}, "amount"),
            ({"amount": "100", "currency": "RMB"}, "currency"),
            ({"amount": "100"}, "currency"),
            ({"company": "no-such-company"}, "company"),
            ({"company": ["zhipu-ai"]}, "company"),
            ({"source": ""}, "source"),
            ({"source": "1"}, "source"),
            ({"pre_money": "5", "post_money": "1", "valuation_currency": "USD"}, "post_money"),
        ],
    )
    def test_bad_round_is_400_naming_the_field(self, editor_api, round_url, payload, field):
        body = {"company": "zhipu-ai", "stage": "a"} | payload
        response = editor_api.post(round_url, body, format="json")
        assert response.status_code == 400, response.data
        assert field in response.data
        assert not FundingRound.objects.exists()

    def test_body_that_is_not_an_object_is_400(self, editor_api, round_url):
        response = editor_api.post(round_url, [1, 2], format="json")
        assert response.status_code == 400

    def test_unsupported_media_type_is_415(self, editor_api, round_url):
        response = editor_api.post(round_url, "stage=a", content_type="application/x-www-form-urlencoded")
        assert response.status_code == 415

    def test_failed_patch_changes_nothing(self, editor_api):
        funding_round = FundingRoundFactory(label="A轮")
        url = reverse("api:fundinground-detail", args=[funding_round.pk])
        response = editor_api.patch(
            url, {"label": "changed", "amount": "-5", "currency": "USD"}, format="json"
        )
        assert response.status_code == 400
        funding_round.refresh_from_db()
        assert (funding_round.label, funding_round.amount) == ("A轮", None)


class TestSchemaDocsHealth:
    def test_schema_needs_authentication(self):
        assert APIClient().get("/api/schema/").status_code == 401

    def test_schema_describes_every_resource_and_filter(self, viewer_api):
        response = viewer_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert response.status_code == 200
        schema = json.loads(response.content)
        paths = schema["paths"]
        for resource in (
            "companies",
            "sources",
            "model-releases",
            "metrics",
            "kpis",
            "investors",
            "rounds",
            "participations",
            "listings",
        ):
            assert f"/api/v1/{resource}/" in paths
        assert "/api/v1/companies/{slug}/rounds/" in paths
        assert "/api/v1/companies/{slug}/timeline/" in paths
        rounds = {p["name"] for p in paths["/api/v1/rounds/"]["get"]["parameters"]}
        assert {
            "stage",
            "announced_on_after",
            "amount_min",
            "lead_investor",
            "in_portfolio",
            "q",
            "format",
            "page_size",
            "updated_since",
            "ordering",
        } <= rounds
        assert {"400", "401", "403"} <= set(paths["/api/v1/rounds/"]["get"]["responses"])
        assert "bearerAuth" in schema["components"]["securitySchemes"]

    def test_schema_documents_versions_conditional_requests_and_idempotent_creates(self, viewer_api):
        schema = json.loads(
            viewer_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content
        )
        detail, listing = schema["paths"]["/api/v1/rounds/{id}/"], schema["paths"]["/api/v1/rounds/"]

        def headers(operation) -> set[str]:
            return {p["name"] for p in operation["parameters"] if p["in"] == "header"}

        assert headers(detail["get"]) == {"If-None-Match"}
        assert headers(detail["put"]) == headers(detail["patch"]) == headers(detail["delete"]) == {"If-Match"}
        assert headers(listing["post"]) == {"Idempotency-Key"}
        assert {"ETag"} <= set(detail["get"]["responses"]["200"]["headers"])
        assert "304" in detail["get"]["responses"]
        for method in ("put", "patch", "delete"):
            assert "412" in detail[method]["responses"]
        assert set(listing["post"]["responses"]["201"]["headers"]) == {
            "ETag",
            "Location",
            "Idempotent-Replayed",
        }
        assert "422" in listing["post"]["responses"]
        assert "/api/v1/changes/" in schema["paths"]

    def test_request_bodies_mark_read_only_fields_and_refuse_unknown_ones(self, viewer_api):
        schema = json.loads(
            viewer_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content
        )
        components = schema["components"]["schemas"]
        requests = {name: c for name, c in components.items() if name.endswith("Request")}
        assert {"FundingRoundRequest", "PatchedFundingRoundRequest", "RoundParticipationRequest"} <= set(
            requests
        )
        # Amounts converted to the reporting currency are shown, never written: in a request body
        # they are read-only properties, which a client may send back as read.
        converted = requests.pop("ConvertedAmountRequest")
        assert "amount" in converted["properties"]
        for name, component in requests.items():
            for field, prop in component["properties"].items():
                if "ConvertedAmountRequest" in json.dumps(prop):
                    assert prop["readOnly"] is True, f"{name}.{field}"
        for name, component in requests.items():
            assert component["additionalProperties"] is False, name
            assert component["properties"]["version"]["readOnly"] is True, name
            assert "version" not in component.get("required", []), name
        participations = requests["FundingRoundRequest"]["properties"]["participations"]
        assert participations["items"]["$ref"].endswith("/RoundParticipationRequest")

    def test_docs_serve_their_assets_locally(self, admin_client):
        """Every script and stylesheet the page loads comes from the app itself, and is there."""
        html = admin_client.get("/api/docs/").content.decode()
        assets = re.findall(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+)"', html)
        assert any("swagger-ui" in asset for asset in assets), assets
        for asset in assets:
            assert asset.startswith("/") and not asset.startswith("//"), f"{asset} is not served by the app"
            response = admin_client.get(html_unescape(asset))
            assert response.status_code == 200, asset

    def test_health_needs_no_login_and_reports_the_database(self, client):
        response = client.get("/health/")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}


class TestExportSafety:
    """Exports open in spreadsheets: text must never run as a formula or break the file."""

    NAME = '=HYPERLINK("http://evil.example","click")\x1b'

    def test_csv_neutralises_formulas(self, viewer_api):
        CompanyFactory(slug="formula", name_en=self.NAME)
        response = viewer_api.get(reverse("api:company-list"), {"format": "csv"})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "'=HYPERLINK" in text and "\x1b" not in text

    def test_xlsx_keeps_formulas_as_text_and_drops_control_characters(self, viewer_api):
        import openpyxl

        CompanyFactory(slug="formula", name_en=self.NAME)
        response = viewer_api.get(reverse("api:company-list"), {"format": "xlsx"})
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        header = [c.value for c in sheet[1]]
        cell = sheet.cell(row=2, column=header.index("name_en") + 1)
        assert cell.data_type == "s"
        assert cell.value == self.NAME.rstrip("\x1b")


class TestDatabaseDown:
    @pytest.fixture
    def database_down(self, monkeypatch):
        from django.db import OperationalError, connection

        def refuse(*args, **kwargs):
            raise OperationalError("could not connect to server: Connection refused")

        monkeypatch.setattr(connection, "ensure_connection", refuse)

    def test_health_reports_the_database_down_with_503(self, client, database_down):
        response = client.get("/health/")
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert response.json() == {"status": "unavailable", "database": "down"}

    def test_api_answers_503_with_retry_after(self, viewer_api, database_down):
        response = viewer_api.get(reverse("api:company-list"))
        assert response.status_code == 503
        assert response["Retry-After"] == "5"

    def test_admin_answers_503(self, admin_client, database_down):
        response = admin_client.get(reverse("admin:companies_company_changelist"))
        assert response.status_code == 503


@pytest.mark.parametrize(
    ("website", "valid"),
    [
        ("https://www.zhipuai.cn/", True),
        ("http://example.com/path?q=[1]#top", True),
        ("https://例子.中国", True),
        ("ftp://example.com", False),
        ("https://exa mple.com", False),
        ("http://[::1", False),
        ("www.example.com", False),
    ],
)
def test_website_pattern_is_the_same_for_admin_and_api(editor_api, website, valid):
    response = editor_api.post(
        reverse("api:company-list"), {"slug": "w", "name_en": "W", "website": website}, format="json"
    )
    assert (response.status_code == 201) is valid, response.data


def test_text_length_is_checked_as_sent(editor_api):
    CompanyFactory(slug="zhipu-ai")
    label = "\x1e" + "A" * 100  # 101 characters, one of which str.strip() would remove
    response = editor_api.post(
        reverse("api:fundinground-list"), {"company": "zhipu-ai", "stage": "a", "label": label}, format="json"
    )
    assert response.status_code == 400
    assert "label" in response.data
