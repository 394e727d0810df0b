"""Tokens are issued and revoked in the Django admin; a province administrator manages
their own province's users only."""

import re

from django.urls import reverse
from rest_framework.test import APIClient

from tracing_portal.accounts.roles import Role
from tracing_portal.api.models import ApiToken

ADD = reverse("admin:api_apitoken_add")
LIST = reverse("admin:api_apitoken_changelist")


def issue_in_admin(client, user, name="Hệ thống công an"):
    return client.post(ADD, {"user": user.pk, "name": name, "expires_at_0": "", "expires_at_1": ""})


def test_the_token_is_shown_once_and_works(client, province_admin, make_user):
    holder = make_user(Role.POLICE)
    client.force_login(province_admin)
    response = issue_in_admin(client, holder)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = re.search(r'value="(tp_[^"]+)"', response.content.decode()).group(1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/me/").json()["username"] == holder.username
    # Nowhere to be seen again: not in the list, not on the token's page.
    api_token = ApiToken.objects.get()
    for url in (LIST, reverse("admin:api_apitoken_change", args=[api_token.pk])):
        page = client.get(url).content.decode()
        assert api_token.display_id in page and token not in page


def test_the_add_form_offers_the_default_expiry(client, province_admin, settings):
    settings.API_TOKEN_DEFAULT_DAYS = 30
    client.force_login(province_admin)
    form = client.get(ADD).context["adminform"].form
    expires = form.initial["expires_at"]
    from django.utils import timezone

    assert 29 <= (expires - timezone.now()).days <= 30


def test_a_province_admin_sees_and_issues_for_their_province_only(
    client, province_admin, make_user, issue_token
):
    own, other = make_user(Role.DIC), make_user(Role.DIC, province="01")
    issue_token(own)
    issue_token(other)
    client.force_login(province_admin)
    listed = client.get(LIST).context["cl"].queryset
    assert [t.user for t in listed] == [own]
    choices = client.get(ADD).context["adminform"].form.fields["user"].queryset
    assert own in choices and other not in choices
    refused = issue_in_admin(client, other)
    assert refused.status_code == 200 and "user" in refused.context["adminform"].form.errors
    assert ApiToken.objects.filter(user=other).count() == 1


def test_revoking_from_the_list_stops_the_token(client, province_admin, make_user, issue_token):
    holder = make_user(Role.DIC)
    token = issue_token(holder)
    client.force_login(province_admin)
    response = client.post(
        LIST,
        {"action": "revoke", "_selected_action": [ApiToken.objects.get().pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert ApiToken.objects.get().revoked_by == province_admin
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/me/").status_code == 401


def test_tokens_are_never_deleted(client, national_admin, make_user, issue_token):
    issue_token(make_user(Role.DIC))
    client.force_login(national_admin)
    api_token = ApiToken.objects.get()
    response = client.get(reverse("admin:api_apitoken_delete", args=[api_token.pk]))
    assert response.status_code == 403
