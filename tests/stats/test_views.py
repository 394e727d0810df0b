import csv
import datetime as dt
import gzip
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory
from tracing_portal.accounts.roles import Role
from tracing_portal.core.views import PLOTLY_JS, plotly_stylesheets
from tracing_portal.stats import charts

from .conftest import DAY, HD, HN
from .factories import InstallSnapshotFactory

DASHBOARD = reverse("stats:dashboard")


@pytest.fixture
def hd_official(client, make_user):
    user = make_user(Role.OFFICIAL, HD)
    client.force_login(user)
    return user


@pytest.fixture
def national(client, national_admin):
    client.force_login(national_admin)
    return national_admin


def figure(response, name):
    return response.context["figures"][name]


def csv_rows(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


@pytest.mark.parametrize("role", Role.values)
def test_every_role_may_open_the_dashboard(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(DASHBOARD).status_code == 200


def test_a_user_without_a_role_may_not(client, db):
    client.force_login(UserFactory())
    assert client.get(DASHBOARD).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_official_sees_their_provinces_rate_rank_and_targets(client, hd_official, day):
    response = client.get(DASHBOARD, {"target": "25"})
    assert response.context["q"].on == DAY
    assert response.context["headline"].rank_label == "2/4"
    page = response.content.decode()
    assert 'data-testid="headline-rate">20,00%<' in page
    assert 'data-testid="headline-rank">2/4<' in page
    # 100.001 more installs pass Hà Nội; 50.000 more reach 25%.
    assert "100.001" in page and "50.000" in page
    assert response.context["tracing"].province.code == HD


def test_own_province_is_highlighted_in_table_and_charts(client, hd_official, day):
    response = client.get(DASHBOARD)
    page = response.content.decode()
    assert page.count('data-own="true"') == 1
    assert 'class="highlight" data-own="true" data-province="30"' in page
    bar = figure(response, "bar")["data"][0]
    colours = dict(zip(bar["x"], bar["marker"]["color"], strict=True))
    assert colours["Hải Dương"] == charts.HIGHLIGHT and colours["Hà Nội"] == charts.BRAND


def test_denominator_switch_ranks_by_smartphone_users(client, hd_official, day):
    response = client.get(DASHBOARD, {"denominator": "smartphone"})
    assert response.context["headline"].rank_label == "3/3"
    assert 'data-testid="headline-rate">25,00%<' in response.content.decode()


def test_date_picker_shows_an_earlier_day(client, hd_official, day):
    earlier = DAY - dt.timedelta(days=3)
    InstallSnapshotFactory(province_id=HD, date=earlier, installs=50_000)
    response = client.get(DASHBOARD, {"on": earlier.isoformat()})
    assert response.context["q"].on == earlier
    assert response.context["headline"].rank_label == "1/1"


def test_province_user_cannot_open_another_provinces_view(client, hd_official, day):
    assert client.get(DASHBOARD, {"province": HN}).status_code == 404
    assert client.get(reverse("stats:trend_csv"), {"province": HN}).status_code == 404
    assert client.get(reverse("stats:league_csv"), {"province": HN}).status_code == 404


def test_national_admin_gets_the_country_and_may_open_any_province(client, national, day):
    response = client.get(DASHBOARD)
    assert response.context["q"].province is None
    assert response.context["headline"].installs == 800_000
    assert len(response.context["provinces"]) == 63

    response = client.get(DASHBOARD, {"province": HN})
    assert response.context["q"].province.code == HN
    assert response.context["headline"].rank_label == "1/4"
    assert "Hà Nội" in response.content.decode()


def test_dashboard_without_figures_explains_how_they_arrive(client, hd_official):
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert "install_snapshots_backfill" in response.content.decode()


def dashboard_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(DASHBOARD, {"target": "40"})
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("user_fixture", ["hd_official", "national"])
def test_dashboard_query_count_does_not_grow_with_the_data(
    client, every_province_days, tracing_data, request, user_fixture
):
    request.getfixturevalue(user_fixture)
    every_province_days(2)
    tracing_data(1)
    few = dashboard_queries(client)
    every_province_days(60)
    tracing_data(8)
    tracing_data(5, province=HN)
    response = client.get(DASHBOARD)
    assert response.context["tracing"].traces.total == (9 if user_fixture == "hd_official" else 14)
    assert dashboard_queries(client) == few


def test_tracing_csv_query_count_does_not_grow_with_the_data(client, hd_official, tracing_data):
    tracing_data(1)
    url = reverse("stats:tracing_csv", args=["verification-to-trace"])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    tracing_data(10)
    with CaptureQueriesContext(connection) as many:
        assert csv_rows(client.get(url))[1][3:5] == ["11", "11"]
    assert len(many.captured_queries) == len(few.captured_queries)


def test_each_chart_has_a_heading_description_and_csv_link(client, hd_official, day):
    page = client.get(DASHBOARD).content.decode()
    for name in ("trend", "bar", "map"):
        assert f'id="chart-{name}-heading"' in page
        assert f'aria-describedby="chart-{name}-description"' in page
        assert f'<script id="figure-{name}" type="application/json">' in page
        assert f'data-testid="csv-{name}"' in page
        # Each chart is reached with Tab and read out by its heading and description.
        [chart] = re.findall(rf'<div class="chart card" id="chart-{name}"[^>]*>', page)
        assert 'role="figure"' in chart and 'tabindex="0"' in chart
        assert f'aria-labelledby="chart-{name}-heading"' in chart


def test_page_gives_plotly_its_vietnamese_words(client, hd_official, day):
    page = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    found = re.search(r'<script id="plotly-locale" type="application/json">(.*?)</script>', page)
    locale = json.loads(found.group(1))
    assert locale["name"] == "vi"
    assert locale["dictionary"]["Reset axes"] == "Đặt lại các trục"


def test_page_loads_plotly_from_the_portal_not_a_cdn(client, hd_official, day):
    page = client.get(DASHBOARD).content.decode()
    assert f'src="{reverse("plotly_js")}' in page
    # Every script and stylesheet comes from the portal itself. (JSON data is left out:
    # its escaped Vietnamese, "\\u1ecdn" for "ọn", reads as "cdn".)
    scripts = re.findall(r"<script[^>]* src=\"([^\"]+)\"", page)
    sheets = re.findall(r"<link[^>]* href=\"([^\"]+)\"", page)
    assert scripts and sheets
    assert all(url.startswith("/") and not url.startswith("//") for url in scripts + sheets)


def test_league_csv_has_all_63_provinces(client, hd_official, day):
    response = client.get(reverse("stats:league_csv"), {"on": DAY.isoformat()})
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert len(rows) == 1 + 63
    hd = next(r for r in rows if r[1] == HD)
    assert hd[0] == DAY.isoformat() and hd[3] == "200000" and hd[7] == "20.0000" and hd[8] == "2"


def test_trend_csv_is_the_provinces_for_a_province_user(client, hd_official, day):
    rows = csv_rows(client.get(reverse("stats:trend_csv")))
    assert rows[1][:2] == [DAY.isoformat(), HD]
    assert rows[1][-2:] == ["2", "4"]


def test_trend_csv_is_the_countrys_for_the_national_view(client, national, day):
    rows = csv_rows(client.get(reverse("stats:trend_csv")))
    assert rows[1][:2] == [DAY.isoformat(), "800000"]
    assert rows[1][-1] == "20.0000"


def test_plotly_js_is_served_from_the_installed_package(client, db):
    response = client.get(reverse("plotly_js"))
    assert response.status_code == 200
    assert response.content == PLOTLY_JS.read_bytes()
    assert "max-age=31536000" in response["Cache-Control"]
    zipped = client.get(reverse("plotly_js"), HTTP_ACCEPT_ENCODING="gzip, br")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == response.content


def test_province_boundaries_are_served_light(client, db):
    response = client.get(reverse("stats:provinces_geojson"))
    data = json.loads(response.content)
    ids = {f["id"] for f in data["features"]}
    assert len(ids) == 64 and {"VN-61", "VN-HN", charts.TRUONG_SA_ID} <= ids
    lon, lat = data["features"][0]["geometry"]["coordinates"][0][0]
    assert round(lon, 3) == lon and round(lat, 3) == lat
    assert len(response.content) < 200_000
    assert "max-age" in response["Cache-Control"]


def test_home_page_points_officials_to_the_dashboard(client, hd_official):
    response = client.get(reverse("home"))
    steps = {step["url"]: step for step in response.context["next_steps"]}
    assert DASHBOARD in steps
    assert f'href="{DASHBOARD}"' in response.content.decode()


def test_the_scripts_a_page_loads_read_no_session(client, hd_official, django_assert_num_queries):
    """A page's script, stylesheets and translations are fetched together as it loads; they
    neither wait on nor touch the database, even for a signed-in user."""
    urls = [reverse("plotly_js"), reverse("javascript-catalog")]
    urls += [reverse("plotly_css", args=[name]) for name in plotly_stylesheets()]
    for url in urls:
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200, url
