"""The generic API test case: a concrete test names the resource and the data; the checks are shared.

list, detail, create, PUT, PATCH, delete, 401 without credentials, 403 without the model
permission, read-only tokens that cannot write, a query count that does not grow with the
rows, every export format, bad bodies that change nothing, versions with ETag, If-Match and
If-None-Match, Location, idempotent creates, unknown body fields, and GET-modify-PUT.
"""

import csv
import io
import json
from typing import ClassVar

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

WRITE_METHODS = ("post", "put", "patch", "delete")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


class APIResourceCase:
    """Subclass with `basename`, `model`, `factory`, `create_payload()` and `update_payload`."""

    basename: ClassVar[str]
    model: ClassVar[type]
    factory: ClassVar[type]
    lookup_field: ClassVar[str] = "pk"
    lookup_key: ClassVar[str] = "id"
    update_payload: ClassVar[dict]

    # What a concrete case provides

    def make(self):
        return self.factory()

    def create_payload(self) -> dict:
        raise NotImplementedError

    # URLs

    def list_url(self) -> str:
        return reverse(f"api:{self.basename}-list")

    def detail_url(self, obj) -> str:
        return reverse(f"api:{self.basename}-detail", args=[getattr(obj, self.lookup_field)])

    # CRUD

    def test_list(self, viewer_api):
        objects = [self.make() for _ in range(3)]
        response = viewer_api.get(self.list_url())
        assert response.status_code == 200, response.data
        assert response.data["count"] == self.model.objects.count()
        keys = {item[self.lookup_key] for item in response.data["results"]}
        assert {getattr(obj, self.lookup_field) for obj in objects} <= keys

    def test_detail(self, viewer_api):
        obj = self.make()
        response = viewer_api.get(self.detail_url(obj))
        assert response.status_code == 200, response.data
        assert response.data[self.lookup_key] == getattr(obj, self.lookup_field)

    def test_create(self, editor_api):
        payload = self.create_payload()
        before = self.model.objects.count()
        response = editor_api.post(self.list_url(), payload, format="json")
        assert response.status_code == 201, response.data
        assert self.model.objects.count() == before + 1
        created = self.model.objects.get(**{self.lookup_field: response.data[self.lookup_key]})
        assert created.history.get().history_user == editor_api.user
        for name, value in payload.items():
            if not isinstance(value, dict | list):
                assert str(response.data[name]) == str(value) or response.data[name] == value, name

    def test_put_replaces_the_writable_fields(self, editor_api):
        obj = self.make()
        payload = self.create_payload() | self.update_payload
        response = editor_api.put(self.detail_url(obj), payload, format="json")
        assert response.status_code == 200, response.data
        for name, value in self.update_payload.items():
            assert response.data[name] == value, name

    def test_patch_changes_only_what_is_given(self, editor_api):
        obj = self.make()
        response = editor_api.patch(self.detail_url(obj), self.update_payload, format="json")
        assert response.status_code == 200, response.data
        fresh = editor_api.get(self.detail_url(obj)).data
        for name, value in self.update_payload.items():
            assert fresh[name] == value, name

    def test_delete(self, editor_api):
        obj = self.make()
        response = editor_api.delete(self.detail_url(obj))
        assert response.status_code == 204
        assert not self.model.objects.filter(pk=obj.pk).exists()

    def test_unknown_record_is_404(self, viewer_api):
        missing = "no-such-record" if self.lookup_field == "slug" else 999999
        url = reverse(f"api:{self.basename}-detail", args=[missing])
        assert viewer_api.get(url).status_code == 404

    # Permissions

    @pytest.mark.parametrize(
        ("target", "method"),
        [
            ("list", "get"),
            ("list", "post"),
            ("detail", "get"),
            ("detail", "put"),
            ("detail", "patch"),
            ("detail", "delete"),
        ],
    )
    def test_anonymous_gets_401_and_changes_nothing(self, db, method, target):
        obj = self.make()
        url = self.list_url() if target == "list" else self.detail_url(obj)
        before = self.model.objects.count()
        response = getattr(APIClient(), method)(url, self.create_payload(), format="json")
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert self.model.objects.count() == before

    @pytest.mark.parametrize(
        ("actions", "read_only", "method", "expected"),
        [
            ((), False, "get", 403),
            ((), False, "post", 403),
            (("view",), False, "get", 200),
            (("view",), False, "post", 403),
            (("view",), False, "patch", 403),
            (("view",), False, "delete", 403),
            (("view", "add", "change", "delete"), True, "get", 200),
            (("view", "add", "change", "delete"), True, "post", 403),
            (("view", "add", "change", "delete"), True, "patch", 403),
            (("view", "add", "change", "delete"), True, "put", 403),
            (("view", "add", "change", "delete"), True, "delete", 403),
            (("view", "add"), False, "post", 201),
            (("view", "change"), False, "patch", 200),
            (("view", "delete"), False, "delete", 204),
            (("view", "add"), False, "delete", 403),
            (("view",), False, "export", 403),
            (("view", "export"), False, "export", 200),
            (("view", "export"), True, "export", 200),
            (("export",), False, "export", 403),
        ],
    )
    def test_permission_matrix(self, make_api_client, actions, read_only, method, expected):
        client = make_api_client(*actions, read_only=read_only)
        obj = self.make()
        before = self.model.objects.count()
        if method == "post":
            response = client.post(self.list_url(), self.create_payload(), format="json")
        elif method == "get":
            response = client.get(self.list_url())
        elif method == "export":
            response = client.get(self.list_url(), {"format": "csv"})
        elif method == "put":
            response = client.put(self.detail_url(obj), self.create_payload(), format="json")
        elif method == "patch":
            response = client.patch(self.detail_url(obj), self.update_payload, format="json")
        else:
            response = client.delete(self.detail_url(obj))
        assert response.status_code == expected, getattr(response, "data", response)
        if expected == 403:
            assert self.model.objects.count() == before

    # Queries

    def count_queries(self, client, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            assert response.status_code == 200
            body(response)
        return len(queries)

    @pytest.mark.parametrize("export_format", [None, "csv", "xlsx", "json"])
    def test_query_count_does_not_grow_with_rows(self, viewer_api, export_format):
        url = self.list_url() + (f"?format={export_format}" if export_format else "")
        for _ in range(2):
            self.make()
        self.count_queries(viewer_api, url)  # the token's first use is recorded once
        few = self.count_queries(viewer_api, url)
        for _ in range(12):
            self.make()
        assert self.count_queries(viewer_api, url) == few

    # Exports

    def test_exports_have_every_row_in_every_format(self, viewer_api):
        for _ in range(3):
            self.make()
        total = self.model.objects.count()

        response = viewer_api.get(self.list_url(), {"format": "csv"})
        assert response["Content-Type"].startswith("text/csv")
        assert 'filename="' in response["Content-Disposition"]
        text = body(response).decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        assert len(rows) == total

        response = viewer_api.get(self.list_url(), HTTP_ACCEPT="text/csv")
        assert response["Content-Type"].startswith("text/csv")

        response = viewer_api.get(self.list_url(), {"format": "xlsx"})
        assert ".xlsx" in response["Content-Disposition"]
        sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
        assert sheet.max_row == total + 1

        response = viewer_api.get(self.list_url(), {"format": "json"})
        items = json.loads(body(response))
        assert len(items) == total
        assert list(items[0]) == list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))).fieldnames)

    def test_export_format_must_be_known(self, viewer_api):
        response = viewer_api.get(self.list_url(), {"format": "pdf"})
        assert response.status_code == 400
        assert "format" in response.data

    # Bad input

    def test_malformed_json_is_400_and_creates_nothing(self, editor_api):
        before = self.model.objects.count()
        response = editor_api.post(self.list_url(), data="{not json", content_type="application/json")
        assert response.status_code == 400
        assert self.model.objects.count() == before

    def test_wrong_types_are_400_and_create_nothing(self, editor_api):
        before = self.model.objects.count()
        payload = {name: {"nested": ["object"]} for name in self.create_payload()}
        response = editor_api.post(self.list_url(), payload, format="json")
        assert response.status_code == 400
        assert self.model.objects.count() == before

    def test_empty_body_is_400(self, editor_api):
        response = editor_api.post(self.list_url(), {}, format="json")
        assert response.status_code == 400

    # Versions, conditional requests and idempotent creates

    def detail_etag(self, client, obj) -> str:
        response = client.get(self.detail_url(obj))
        assert response.status_code == 200
        return response["ETag"]

    def test_every_record_shows_its_version_and_the_detail_its_etag(self, viewer_api):
        obj = self.make()
        response = viewer_api.get(self.detail_url(obj))
        obj.refresh_from_db()
        assert response.data["version"] == obj.version
        assert response["ETag"] == f'"{obj.version}"'
        listed = viewer_api.get(self.list_url()).data["results"]
        assert all(isinstance(item["version"], int) for item in listed)

    def test_if_none_match_with_the_current_version_is_304(self, viewer_api):
        obj = self.make()
        etag = self.detail_etag(viewer_api, obj)
        for header in (etag, f"W/{etag}", '"0", ' + etag, "*"):
            response = viewer_api.get(self.detail_url(obj), HTTP_IF_NONE_MATCH=header)
            assert (response.status_code, response.content, response["ETag"]) == (304, b"", etag), header
        assert viewer_api.get(self.detail_url(obj), HTTP_IF_NONE_MATCH='"0"').status_code == 200

    @pytest.mark.parametrize("method", ["put", "patch", "delete"])
    def test_a_write_with_a_stale_if_match_is_412_and_changes_nothing(self, editor_api, method):
        obj = self.make()
        stale = self.detail_etag(editor_api, obj)
        assert editor_api.patch(self.detail_url(obj), self.update_payload, format="json").status_code == 200
        current = self.detail_etag(editor_api, obj)
        before = (self.model.objects.filter(pk=obj.pk).values().get(), obj.history.count())

        payload = self.create_payload() | self.update_payload if method != "delete" else None
        response = getattr(editor_api, method)(
            self.detail_url(obj), payload, format="json", HTTP_IF_MATCH=stale
        )

        assert response.status_code == 412, getattr(response, "data", response)
        assert response.data["etag"] == response["ETag"] == current
        assert (self.model.objects.filter(pk=obj.pk).values().get(), obj.history.count()) == before

    def test_a_write_with_the_current_if_match_answers_the_next_etag(self, editor_api):
        obj = self.make()
        etag = self.detail_etag(editor_api, obj)
        response = editor_api.patch(
            self.detail_url(obj), self.update_payload, format="json", HTTP_IF_MATCH=etag
        )
        assert response.status_code == 200, response.data
        assert response["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"' == f'"{response.data["version"]}"'
        bare = str(response.data["version"])  # a list item's version, as it is
        response = editor_api.delete(self.detail_url(obj), HTTP_IF_MATCH=bare)
        assert response.status_code == 204

    @pytest.mark.parametrize("header", ["0x3", '"3', "W/3", '"1" junk', '"1",', ""])
    def test_a_malformed_if_match_is_400(self, editor_api, header):
        obj = self.make()
        response = editor_api.patch(
            self.detail_url(obj), self.update_payload, format="json", HTTP_IF_MATCH=header
        )
        assert response.status_code == 400
        assert "If-Match" in response.data

    def test_a_created_record_is_answered_with_its_location_and_etag(self, editor_api):
        response = editor_api.post(self.list_url(), self.create_payload(), format="json")
        assert response.status_code == 201, response.data
        assert response["ETag"] == '"1"' and response.data["version"] == 1
        fetched = editor_api.get(response["Location"])
        assert fetched.status_code == 200
        assert fetched.data[self.lookup_key] == response.data[self.lookup_key]

    def test_a_post_retried_with_its_idempotency_key_creates_one_record(self, editor_api, make_api_client):
        before = self.model.objects.count()
        payload = self.create_payload()
        first = editor_api.post(self.list_url(), payload, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
        assert first.status_code == 201, first.data
        created = self.model.objects.get(**{self.lookup_field: first.data[self.lookup_key]})
        history = created.history.count()

        again = editor_api.post(self.list_url(), payload, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")

        assert (again.status_code, again.content) == (201, body(first))
        assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
        assert (again["Location"], again["ETag"]) == (first["Location"], first["ETag"])
        assert self.model.objects.count() == before + 1
        assert created.history.count() == history
        other = dict(payload, **{name: value for name, value in self.update_payload.items()})
        reused = editor_api.post(self.list_url(), other, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
        assert reused.status_code == 422
        assert self.model.objects.count() == before + 1

    def test_get_modify_put_of_what_was_read_is_accepted(self, editor_api):
        obj = self.make()
        read = editor_api.get(self.detail_url(obj)).data
        changed = {**read, **self.update_payload}
        response = editor_api.put(
            self.detail_url(obj), changed, format="json", HTTP_IF_MATCH=f'"{read["version"]}"'
        )
        assert response.status_code == 200, response.data
        for name, value in self.update_payload.items():
            assert response.data[name] == value, name
        assert response.data["version"] == read["version"] + 1

    @pytest.mark.parametrize("method", ["post", "put", "patch"])
    def test_an_unknown_body_field_is_400_naming_it_and_changes_nothing(self, editor_api, method):
        obj = self.make()
        before = (self.model.objects.count(), self.model.objects.filter(pk=obj.pk).values().get())
        payload = {**self.create_payload(), "colour": "red"}
        url = self.list_url() if method == "post" else self.detail_url(obj)
        response = getattr(editor_api, method)(url, payload, format="json")
        assert response.status_code == 400
        assert list(response.data) == ["colour"]
        assert (self.model.objects.count(), self.model.objects.filter(pk=obj.pk).values().get()) == before
