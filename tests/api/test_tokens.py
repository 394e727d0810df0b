"""API tokens: hashed at rest, revocable, expiring, their last use recorded, throttled."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tracing_portal.accounts.roles import Role
from tracing_portal.api.models import ApiToken
from tracing_portal.api.services import api_token_mark_used, api_token_revoke
from tracing_portal.audit.models import AuditEvent
from tracing_portal.core.exceptions import ApplicationError

ME = "/api/v1/me/"


def bearer(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_a_token_authenticates_its_user(cdc_user, issue_token):
    response = bearer(issue_token(cdc_user)).get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == cdc_user.username
    assert "cases.add_case" in response.json()["permissions"]
    assert response.json()["token"].startswith("tp_")


def test_the_database_never_holds_the_secret(cdc_user, issue_token):
    token = issue_token(cdc_user)
    secret = token.split(".", 1)[1]
    assert len(secret) >= 40
    row = ApiToken.objects.get()
    assert token.startswith(row.display_id + ".")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608
        stored = " ".join(str(value) for value in cursor.fetchall()[0])
    assert secret not in stored and token not in stored
    # Only a SHA-256 of the whole token is kept.
    import hashlib

    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()


def test_issuing_and_revoking_are_audited(cdc_user, issue_token, province_admin):
    issue_token(cdc_user)
    api_token_revoke(actor=province_admin, api_token=ApiToken.objects.get())
    details = list(
        AuditEvent.objects.filter(action="user_changed", object_id=str(cdc_user.pk))
        .order_by("id")
        .values_list("details__api_token", flat=True)
    )
    assert details == ["issued", "revoked"]


def test_a_revoked_token_is_refused(cdc_user, issue_token, province_admin):
    client = bearer(issue_token(cdc_user))
    assert client.get(ME).status_code == 200
    api_token_revoke(actor=province_admin, api_token=ApiToken.objects.get())
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused(cdc_user, issue_token):
    client = bearer(issue_token(cdc_user, expires_at=timezone.now() + dt.timedelta(hours=1)))
    assert client.get(ME).status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_deactivated_users_token_is_refused(cdc_user, issue_token):
    client = bearer(issue_token(cdc_user))
    cdc_user.is_active = False
    cdc_user.save()
    assert client.get(ME).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer tp_00000000.not-a-real-token-but-long-enough-to-look-like-one-0000",
        "Bearer garbage",
        "Bearer",
        "Bearer a b",
    ],
)
def test_a_wrong_token_is_401_in_the_error_shape(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(ME)
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_a_token_with_a_wrong_secret_is_refused(cdc_user, issue_token):
    token = issue_token(cdc_user)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert bearer(forged).get(ME).status_code == 401


def test_anonymous_gets_401_with_a_bearer_challenge(db):
    response = APIClient().get(reverse("api:cases-list"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_last_use_is_recorded_at_most_once_a_minute(cdc_user, issue_token, settings):
    settings.API_TOKEN_LAST_USED_SECONDS = 60
    client = bearer(issue_token(cdc_user))
    assert ApiToken.objects.get().last_used_at is None
    client.get(ME)
    first = ApiToken.objects.get().last_used_at
    assert first is not None and timezone.now() - first < dt.timedelta(seconds=5)
    client.get(ME)
    assert ApiToken.objects.get().last_used_at == first
    token = ApiToken.objects.get()
    assert api_token_mark_used(api_token=token, now=first + dt.timedelta(seconds=30)) is False
    assert api_token_mark_used(api_token=token, now=first + dt.timedelta(seconds=61)) is True


def test_throttling_answers_429_in_the_error_shape(cdc_user, issue_token, settings):
    settings.API_THROTTLE_RATE = "3/min"
    client = bearer(issue_token(cdc_user))
    assert [client.get(ME).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(ME)
    assert response.status_code == 429
    body = response.json()["error"]
    assert body["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60
    assert body["details"]["retry_after"] == int(response["Retry-After"])


def test_throttling_counts_each_token_apart(cdc_user, police_user, issue_token, settings):
    settings.API_THROTTLE_RATE = "2/min"
    first, second = bearer(issue_token(cdc_user)), bearer(issue_token(cdc_user))
    assert [first.get(ME).status_code for _ in range(3)] == [200, 200, 429]
    assert second.get(ME).status_code == 200


def test_session_needs_the_csrf_token_for_writes(cdc_user):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(cdc_user)
    assert api.get(ME).status_code == 200
    refused = api.post(reverse("api:cases-create"), {"full_name": "Nguyễn Văn A"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    api.get(reverse("api:docs") + "?script=")  # Swagger UI's script carries the CSRF token
    csrf = api.cookies["csrftoken"].value
    accepted = api.post(
        reverse("api:cases-create"),
        {"full_name": "Nguyễn Văn A"},
        format="json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert accepted.status_code == 201


def test_a_province_admin_issues_only_for_their_province(province_admin, make_user):
    from tracing_portal.api.services import api_token_issue

    own = make_user(Role.DIC)
    other = make_user(Role.DIC, province="01")
    assert api_token_issue(actor=province_admin, user=own, name="DIC system").token
    with pytest.raises(ApplicationError):
        api_token_issue(actor=province_admin, user=other, name="DIC system")


def test_staff_without_the_permission_cannot_issue(cdc_user, dic_user):
    from tracing_portal.api.services import api_token_issue

    with pytest.raises(ApplicationError):
        api_token_issue(actor=cdc_user, user=dic_user, name="x")


def test_expiry_must_be_in_the_future(national_admin, dic_user):
    from tracing_portal.api.services import api_token_issue

    with pytest.raises(ApplicationError):
        api_token_issue(
            actor=national_admin,
            user=dic_user,
            name="x",
            expires_at=timezone.now() - dt.timedelta(minutes=1),
        )


def test_a_token_used_a_moment_ago_is_not_written_again(cdc_user, api_for):
    client = api_for(cdc_user)
    url = reverse("api:me")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert not [q for q in captured if "api_apitoken" in q["sql"] and "UPDATE" in q["sql"]]
