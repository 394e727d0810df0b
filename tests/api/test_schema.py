"""The OpenAPI schema: valid without warnings, served at /api/v1/schema/, documented in
Swagger UI and ReDoc served from the installed sidecar package (no CDN)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

from .openapi import openapi_schema


def test_spectacular_validates_the_schema_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "openapi: 3" in text and "/api/v1/people/" in text


def test_the_served_schema_is_the_generated_one(cdc_user, api_for):
    response = api_for(cdc_user).get(reverse("api:schema") + "?format=json")
    assert response.status_code == 200
    assert response.json() == openapi_schema()


def test_every_operation_documents_its_errors_in_the_error_shape():
    schema = openapi_schema()
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) >= 30
    for path, method, operation in operations:
        responses = operation["responses"]
        statuses = ["401", "403", "406", "429"]
        if method == "post":
            statuses += ["400", "413", "415"]
        for status in statuses:
            ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error", (path, method, status)
        if "{" in path:
            assert "404" in responses, (path, method)
        assert {"bearerAuth": []} in operation["security"]


def test_every_operation_is_named_under_the_api_namespace():
    from tracing_portal.api.urls import urlpatterns

    names = {p.name for p in urlpatterns}
    assert {
        "cases-list",
        "cases-create",
        "cases-detail",
        "cases-update",
        "cases-verify",
        "cases-relevel",
        "cases-contacts",
        "traces-open",
        "traces-detail",
        "traces-contacts",
        "candidates-accept",
        "candidates-reject",
        "lookups-list",
        "sms-send",
        "sms-log",
        "stats-snapshots",
        "stats-ranks",
        "stats-tracing-figures",
    } <= names
    assert reverse("api:cases-detail", kwargs={"code": "HD-000123"}) == "/api/v1/people/HD-000123/"


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_the_docs_load_nothing_from_another_site(name, cdc_user, client):
    client.force_login(cdc_user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), html
    assert "fonts.googleapis" not in html
    for path in re.findall(r"""(?:src|href)="/static/([^"]+)\"""", html):
        assert finders.find(path), path
    assert "<script>" not in html  # every script is a file: a strict CSP allows the page


def test_the_swagger_script_carries_the_csrf_header(cdc_user, client):
    client.force_login(cdc_user)
    script = client.get(reverse("api:docs") + "?script=").content.decode()
    assert "X-CSRFTOKEN" in script and "/api/v1/schema/" in script


def test_the_schema_and_docs_need_a_signed_in_user(db, client):
    for name in ("api:schema", "api:docs", "api:redoc"):
        response = client.get(reverse(name))
        assert response.status_code == 401, name
        assert response.json()["error"]["code"] == "not_authenticated"


def test_the_redoc_bundle_loads_no_logo_from_a_cdn(db, client):
    response = client.get(reverse("api:redoc-js"))
    assert response.status_code == 200
    assert b"cdn.redoc.ly" not in response.content
    assert len(response.content) > 500_000  # the whole ReDoc bundle
