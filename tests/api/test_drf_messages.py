"""Django REST framework's own messages answer in Vietnamese too, from the catalogue in
tracing_portal/api/locale/rest_framework/, and in English when the portal's language is."""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import translation
from rest_framework import exceptions, fields, pagination, relations, serializers

from tracing_portal.core.management.commands.portal_messages import catalogue_path

CREATE = "/api/v1/people/create/"
LIST = "/api/v1/people/"
ME = "/api/v1/me/"
API = apps.get_app_config("api")
DRF_LOCALE = Path(API.path) / "locale" / "rest_framework"


def english(client):
    client.cookies["django_language"] = "en"
    return client


def field_message(field):
    return lambda body: body["details"][field][0]


def message(body):
    return body["message"]


# name: (request, where the message is, Vietnamese, English)
ANSWERS = {
    "a missing field": (
        lambda api: api.post(CREATE, {}, format="json"),
        field_message("full_name"),
        "Trường này là bắt buộc.",
        "This field is required.",
    ),
    "a null field": (
        lambda api: api.post(CREATE, {"full_name": None}, format="json"),
        field_message("full_name"),
        "Trường này không được để giá trị null.",
        "This field may not be null.",
    ),
    "a bad integer": (
        lambda api: api.post(
            CREATE, {"full_name": "Nguyễn Văn An", "year_of_birth": "abc"}, format="json"
        ),
        field_message("year_of_birth"),
        "Giá trị phải là số nguyên.",
        "A valid integer is required.",
    ),
    "a bad date": (
        lambda api: api.post(
            CREATE, {"full_name": "Nguyễn Văn An", "exposure_date": "03/08/2020"}, format="json"
        ),
        field_message("exposure_date"),
        "Ngày sai định dạng. Hãy dùng một trong các định dạng sau: YYYY-MM-DD.",
        "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
    ),
    "a text longer than its limit": (
        lambda api: api.post(CREATE, {"full_name": "A" * 151}, format="json"),
        field_message("full_name"),
        "Trường này không được quá 150 ký tự.",
        "Ensure this field has no more than 150 characters.",
    ),
    "an invalid cursor": (
        lambda api: api.get(LIST + "?cursor=nonsense"),
        message,
        "Con trỏ phân trang không hợp lệ.",
        "Invalid cursor",
    ),
    "an unknown person": (
        lambda api: api.get(LIST + "HD-999999/"),
        message,
        "Không tìm thấy.",
        "Not found.",
    ),
    "a method the endpoint does not take (405)": (
        lambda api: api.delete(LIST),
        message,
        "Phương thức “DELETE” không được phép.",
        'Method "DELETE" not allowed.',
    ),
    "an answer other than JSON (406)": (
        lambda api: api.get(LIST, HTTP_ACCEPT="text/html"),
        message,
        "Không thể trả lời theo định dạng mà tiêu đề Accept của yêu cầu đòi hỏi.",
        "Could not satisfy the request Accept header.",
    ),
    "a body other than JSON (415)": (
        lambda api: api.generic("POST", CREATE, "full_name=An", content_type="text/plain"),
        message,
        "Không hỗ trợ kiểu dữ liệu “text/plain” trong yêu cầu.",
        'Unsupported media type "text/plain" in request.',
    ),
    "a body that is not valid JSON": (
        lambda api: api.generic("POST", CREATE, "{not json", content_type="application/json"),
        message,
        "Yêu cầu sai định dạng.",
        "Malformed request.",
    ),
}


@pytest.mark.parametrize("name", ANSWERS)
def test_drf_messages_are_vietnamese_and_english_on_the_cookie(name, cdc_user, api_for):
    send, where, vietnamese, english_text = ANSWERS[name]
    assert where(send(api_for(cdc_user)).json()["error"]) == vietnamese
    assert where(send(english(api_for(cdc_user))).json()["error"]) == english_text


def test_a_throttled_request_says_when_to_try_again_in_vietnamese(cdc_user, api_for, settings):
    settings.API_THROTTLE_RATE = "1/min"
    api = api_for(cdc_user)
    assert api.get(ME).status_code == 200
    error = api.get(ME).json()["error"]
    wait = error["details"]["retry_after"]
    assert error["message"] == (
        f"Đã vượt quá số yêu cầu được phép. Có thể gửi lại sau {wait} giây."
    )


def test_a_throttled_request_in_english(cdc_user, api_for, settings):
    settings.API_THROTTLE_RATE = "1/min"
    api = english(api_for(cdc_user))
    assert api.get(ME).status_code == 200
    error = api.get(ME).json()["error"]
    assert re.fullmatch(
        r"Request was throttled\. Expected available in (\d+) seconds?\.", error["message"]
    )


def test_the_json_parsers_own_words_are_in_the_details(cdc_user, api_for):
    send = ANSWERS["a body that is not valid JSON"][0]
    error = send(api_for(cdc_user)).json()["error"]
    assert error["details"]["reason"].startswith("JSON parse error - ")


def test_an_english_browser_alone_does_not_switch_the_language(cdc_user, api_for):
    """As on the pages: Accept-Language is ignored, the portal's cookie decides."""
    error = (
        api_for(cdc_user)
        .post(CREATE, {"full_name": None}, format="json", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        .json()["error"]
    )
    assert error["details"]["full_name"] == ["Trường này không được để giá trị null."]


def drf_messages() -> dict[str, str]:
    """Every default message of DRF's fields, exceptions and pagination, by where it is."""
    found = {}
    for module in (fields, relations, serializers):
        for name, cls in vars(module).items():
            if isinstance(cls, type) and issubclass(cls, fields.Field):
                for key, text in vars(cls).get("default_error_messages", {}).items():
                    found[f"{name}.{key}"] = text
    for name, cls in vars(exceptions).items():
        if isinstance(cls, type) and issubclass(cls, exceptions.APIException):
            found[f"{name}.default_detail"] = cls.default_detail
    found["Throttled.extra_detail"] = exceptions.Throttled.extra_detail_plural
    found["CursorPagination.invalid_cursor_message"] = (
        pagination.CursorPagination.invalid_cursor_message
    )
    return found


@pytest.mark.parametrize("where", sorted(drf_messages()))
def test_every_drf_message_has_its_vietnamese_with_the_same_placeholders(where):
    text = drf_messages()[where]
    with translation.override("en"):
        english_text = str(text)
    with translation.override("vi"):
        vietnamese = str(text)
    assert vietnamese != english_text
    placeholders = re.compile(r"\{[^}]*\}|%\(\w+\)\w")
    assert sorted(placeholders.findall(vietnamese)) == sorted(placeholders.findall(english_text))


# --- the catalogue check (needs GNU gettext, as `portal_messages` does) ---

needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext is not installed"
)


@pytest.fixture
def drf_catalogue(tmp_path, monkeypatch):
    """A copy of the DRF catalogue that `portal_messages api` checks instead of the real one."""
    locale = tmp_path / "rest_framework"
    shutil.copytree(DRF_LOCALE, locale)
    [(package, modules)] = API.package_catalogues.values()
    monkeypatch.setattr(API, "package_catalogues", {str(locale): (package, modules)})
    return polib.pofile(str(catalogue_path(locale)))


def check_api(capsys) -> str:
    with pytest.raises(CommandError):
        call_command("portal_messages", "api", check=True)
    return capsys.readouterr().err


@needs_gettext
def test_the_committed_drf_catalogue_passes_the_check(drf_catalogue, capsys):
    call_command("portal_messages", "api", check=True)
    assert "Catalogues are complete." in capsys.readouterr().out


@needs_gettext
def test_the_check_fails_when_a_drf_message_lacks_its_vietnamese(drf_catalogue, capsys):
    drf_catalogue.find("This field may not be null.").msgstr = ""
    drf_catalogue.save()
    err = check_api(capsys)
    assert "api: rest_framework: untranslated: 'This field may not be null.'" in err


@needs_gettext
def test_the_check_fails_when_drf_has_a_message_the_catalogue_lacks(drf_catalogue, capsys):
    drf_catalogue.remove(drf_catalogue.find("Invalid cursor"))
    drf_catalogue.save()
    err = check_api(capsys)
    assert "api: rest_framework: not in the catalogue: 'Invalid cursor'" in err


@needs_gettext
def test_the_check_fails_when_a_translation_breaks_a_placeholder(drf_catalogue, capsys):
    entry = drf_catalogue.find("Ensure this field has no more than {max_length} characters.")
    entry.msgstr = "Trường này không được quá {max} ký tự."
    drf_catalogue.save()
    err = check_api(capsys)
    assert re.search(r"api: rest_framework: django\.po:\d+: .*argument 'max' doesn't exist", err)


@needs_gettext
def test_the_check_fails_when_a_drf_translation_overrides_a_portal_one(drf_catalogue, capsys):
    """The DRF catalogue wins over every app's: it may not retranslate their strings."""
    drf_catalogue.append(polib.POEntry(msgid="Search", msgstr="Tra cứu"))
    drf_catalogue.save()
    assert "api: rest_framework: 'Search' is translated otherwise in accounts" in check_api(capsys)


def test_compile_writes_the_drf_catalogue_too(drf_catalogue, capsys):
    mo = Path(drf_catalogue.fpath).with_suffix(".mo")
    mo.unlink()
    call_command("portal_messages", "api", compile_only=True)
    assert "Compiled: api." in capsys.readouterr().out
    assert polib.mofile(str(mo)).find("Invalid cursor").msgstr == "Con trỏ phân trang không hợp lệ."
