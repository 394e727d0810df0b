import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.cases.factories import CaseFactory
from tracing_portal.cases.models import Case
from tracing_portal.cases.views import CaseListView
from tracing_portal.core.pagination import CappedPaginator


@pytest.mark.django_db
def test_below_the_cap_the_count_and_pages_are_exact():
    for _ in range(7):
        CaseFactory()
    paginator = CappedPaginator(Case.objects.order_by("pk"), 3, cap=10)
    assert paginator.count == 7
    assert not paginator.capped
    assert paginator.num_pages == 3
    assert not paginator.get_page(3).has_next()


@pytest.mark.django_db
def test_past_the_cap_pages_follow_the_rows_not_the_count():
    for _ in range(12):
        CaseFactory()
    qs = Case.objects.order_by("pk")
    paginator = CappedPaginator(qs, 2, cap=5)
    assert paginator.capped
    assert paginator.count == 6  # counted up to cap + 1, no further
    # Pages past the counted rows are still reachable, with next/previous from the rows.
    page = paginator.get_page(5)
    assert page.number == 5
    assert [c.pk for c in page] == list(qs.values_list("pk", flat=True)[8:10])
    assert page.has_next() and page.has_previous()
    last = paginator.get_page(6)
    assert len(last) == 2 and not last.has_next()
    # Beyond the last row the page falls back to a real page, never an error.
    assert len(paginator.get_page(40)) > 0
    assert paginator.get_page("x").number == 1


@pytest.mark.django_db
def test_people_list_says_more_than_the_cap(client, cdc_user, monkeypatch):
    for _ in range(8):
        CaseFactory()
    monkeypatch.setattr(CaseListView, "count_cap", 5)
    monkeypatch.setattr(CaseListView, "paginate_by", 3)
    client.force_login(cdc_user)
    response = client.get(reverse("cases:list"), {"page": 2})
    body = response.content.decode()
    assert "Hơn 5 người" in body
    assert 'rel="next"' in body and 'rel="prev"' in body
    assert len(response.context["people"]) == 3


def test_the_cap_is_written_with_the_languages_thousand_separator():
    paginator = CappedPaginator([], 10)
    with translation.override("en"):
        assert paginator.cap_display == "10,000"
    with translation.override("vi"):
        assert paginator.cap_display == "10.000"


@pytest.mark.django_db
@pytest.mark.parametrize("orphans", [0, 2])
def test_below_the_cap_pages_hold_the_same_rows_as_djangos(orphans):
    for _ in range(8):
        CaseFactory()
    qs = Case.objects.order_by("pk")
    ours, django = CappedPaginator(qs, 3, orphans=orphans), Paginator(qs, 3, orphans=orphans)
    assert ours.num_pages == django.num_pages
    for number in django.page_range:
        assert list(ours.page(number)) == list(django.page(number))


@pytest.mark.django_db
def test_a_short_page_still_asks_the_database_for_a_whole_page():
    """One match must not become LIMIT 1: PostgreSQL then walks the ordering's index."""
    CaseFactory()
    paginator = CappedPaginator(Case.objects.order_by("-created_at"), 50)
    with CaptureQueriesContext(connection) as queries:
        rows = list(paginator.page(1))
    assert len(rows) == 1
    assert "LIMIT 50" in queries.captured_queries[-1]["sql"]


@pytest.mark.django_db
def test_the_count_drops_the_ordering_and_the_joins():
    CaseFactory()
    qs = Case.objects.select_related("district", "source").order_by("-created_at")
    with CaptureQueriesContext(connection) as queries:
        assert CappedPaginator(qs, 50).count == 1
    sql = queries.captured_queries[0]["sql"]
    assert "ORDER BY" not in sql and "JOIN" not in sql


@pytest.mark.django_db
def test_an_empty_list_is_counted_once_and_not_read(django_assert_num_queries):
    paginator = CappedPaginator(Case.objects.order_by("-created_at"), 50)
    with django_assert_num_queries(1):
        assert list(paginator.get_page(1)) == []
