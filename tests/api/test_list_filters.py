"""List filters: a request without filters skips building a FilterSet, and answers exactly
as the filtered path would."""

import pytest
from django.urls import reverse

from tracing_portal.api.mixins import _UNFILTERED
from tracing_portal.cases.apis import CaseFilterSet

from .factories import PersonFactory

LIST = reverse("api:cases-list")


@pytest.fixture(autouse=True)
def _fresh_memo():
    _UNFILTERED.clear()
    yield
    _UNFILTERED.clear()


def _codes(client, query=""):
    response = client.get(LIST + query)
    assert response.status_code == 200, response.json()
    return {p["code"] for p in response.json()["results"]}


def test_unfiltered_lists_are_remembered_once_and_stay_each_users_own(cdc_user, make_user, api_for):
    hai_duong = {PersonFactory(province_id="30").code for _ in range(3)}
    ha_noi = {PersonFactory(province_id="01").code for _ in range(2)}
    hanoi_user = make_user(province="01")

    assert _codes(api_for(cdc_user)) == hai_duong
    assert _UNFILTERED[CaseFilterSet]["level"] in ("", None)
    # The remembered empty filters carry nothing of the first user: the next one gets
    # their own province.
    assert _codes(api_for(hanoi_user)) == ha_noi
    assert _codes(api_for(cdc_user), "?page_size=2") <= hai_duong


def test_a_filter_after_an_unfiltered_request_still_filters(cdc_user, api_for):
    f0 = PersonFactory()
    f1 = PersonFactory(source=f0)
    client = api_for(cdc_user)
    assert _codes(client) == {f0.code, f1.code}
    assert _codes(client, "?level=1") == {f1.code}
    assert _codes(client, "?level=0&page_size=5") == {f0.code}
    assert client.get(LIST + "?level=9").status_code == 400
    assert _codes(client, "?q=" + f1.code) == {f1.code}


def test_the_remembered_values_are_what_an_empty_query_validates_to(cdc_user, api_for, rf):
    api_for(cdc_user).get(LIST)
    request = rf.get(LIST)
    request.user = cdc_user
    filterset = CaseFilterSet(
        data={}, queryset=CaseFilterSet._meta.model.objects.none(), request=request
    )
    assert filterset.is_valid()
    assert _UNFILTERED[CaseFilterSet] == filterset.form.cleaned_data
