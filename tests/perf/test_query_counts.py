"""The hot pages make as many queries with many rows as with few: every list is paginated
in the database and nothing is fetched row by row."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def _queries(client, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def test_people_list_queries_do_not_grow_with_the_people_on_file(client, cdc_user, people):
    client.force_login(cdc_user)
    people(5)
    urls = ["/cases/", "/cases/?q=hung", "/cases/?level=0&verification=pending", "/cases/?page=2"]
    few = [_queries(client, url) for url in urls]
    people(160)
    many = [_queries(client, url) for url in urls]
    assert few == many


def test_person_page_queries_do_not_grow_with_the_tree_below(client, cdc_user, tree):
    client.force_login(cdc_user)
    small = tree(1)  # 3 people below
    large = tree(5)  # 155 people below
    assert _queries(client, small.get_absolute_url()) == _queries(client, large.get_absolute_url())
    response = client.get(large.get_absolute_url())
    assert len(response.context["tree_below"]) == 5 + 25 + 125


def test_trace_page_queries_do_not_grow_with_the_contacts(client, cdc_user, trace_with_contacts):
    client.force_login(cdc_user)
    few = trace_with_contacts(3)
    many = trace_with_contacts(250)
    for show in ("candidates", "others", "all"):
        assert _queries(client, f"{few.get_absolute_url()}?show={show}") == _queries(
            client, f"{many.get_absolute_url()}?show={show}"
        ), show
    response = client.get(f"{many.get_absolute_url()}?show=all")
    assert response.context["page_obj"].paginator.count == 250
