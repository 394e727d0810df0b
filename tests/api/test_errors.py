"""One error body everywhere: {"error": {"code", "message", "details"}}."""

import pytest
from django.urls import path
from rest_framework.test import APIClient
from rest_framework.views import APIView

from tracing_portal.api.urls import urlpatterns as api_urlpatterns


class ExplodingApi(APIView):
    def get(self, request):
        raise RuntimeError("secret internals: /etc/passwd, password=hunter2")


urlpatterns = [
    path("boom/", ExplodingApi.as_view()),
    path("api/v1/", __import__("django.urls").urls.include((api_urlpatterns, "api"))),
]


def shape(response):
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert isinstance(body["error"]["details"], dict) and body["error"]["message"]
    return body["error"]


@pytest.mark.urls(__name__)
def test_an_unexpected_error_is_500_without_internals(cdc_user, api_for, caplog):
    response = api_for(cdc_user).get("/boom/")
    assert response.status_code == 500
    error = shape(response)
    assert error["code"] == "server_error"
    assert "secret" not in response.content.decode() and "RuntimeError" not in error["message"]
    assert "secret internals" in caplog.text  # ...but the log has it


def test_an_unknown_path_under_the_api_is_a_json_404(cdc_user, api_for):
    response = api_for(cdc_user).get("/api/v1/no/such/thing/")
    assert response.status_code == 404
    assert shape(response)["code"] == "not_found"


def test_a_code_of_the_wrong_shape_is_a_json_404(cdc_user, api_for):
    response = api_for(cdc_user).get("/api/v1/people/not-a-code/")
    assert response.status_code == 404
    assert shape(response)["code"] == "not_found"


def test_an_unknown_person_is_404(cdc_user, api_for):
    response = api_for(cdc_user).get("/api/v1/people/HD-999999/")
    assert response.status_code == 404
    assert shape(response)["code"] == "not_found"


def test_a_wrong_method_is_405(cdc_user, api_for):
    response = api_for(cdc_user).delete("/api/v1/people/")
    assert response.status_code == 405
    assert shape(response)["code"] == "method_not_allowed"


def test_malformed_json_is_400_malformed(cdc_user, api_for):
    response = api_for(cdc_user).generic(
        "POST", "/api/v1/people/create/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert shape(response)["code"] == "malformed"


def test_a_form_body_is_415(cdc_user, api_for):
    response = api_for(cdc_user).post(
        "/api/v1/people/create/", {"full_name": "x"}, format="multipart"
    )
    assert response.status_code == 415
    assert shape(response)["code"] == "unsupported_media_type"


def test_a_body_over_the_upload_limit_is_413_not_a_server_error(
    cdc_user, api_for, settings, caplog
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_for(cdc_user).post(
        "/api/v1/people/create/", {"full_name": "x", "notes": "n" * 2000}, format="json"
    )
    assert response.status_code == 413
    assert shape(response)["code"] == "too_large"
    assert "Unexpected error" not in caplog.text


def test_an_accept_header_other_than_json_is_406(cdc_user, api_for):
    response = api_for(cdc_user).get("/api/v1/people/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert shape(response)["code"] == "not_acceptable"


def test_a_missing_permission_is_403(official_user, api_for):
    response = api_for(official_user).post(
        "/api/v1/people/create/", {"full_name": "x"}, format="json"
    )
    assert response.status_code == 403
    assert shape(response)["code"] == "forbidden"


def test_messages_follow_the_portals_language(cdc_user, api_for):
    client = api_for(cdc_user)
    vietnamese = shape(client.post("/api/v1/people/create/", {}, format="json"))
    client.cookies["django_language"] = "en"
    english = shape(client.post("/api/v1/people/create/", {}, format="json"))
    assert english["message"] != vietnamese["message"]
    assert english["details"]["full_name"] == ["This field is required."]


def test_anonymous_is_401_everywhere_even_on_unknown_paths(db):
    client = APIClient()
    for url in ("/api/v1/people/", "/api/v1/no/such/", "/api/v1/schema/"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert shape(response)["code"] == "not_authenticated"
