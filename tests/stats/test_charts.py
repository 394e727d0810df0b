import json

from django.utils import translation

from tracing_portal.geo.models import Province
from tracing_portal.stats import charts
from tracing_portal.stats.selectors import install_rank_table, province_install_trend

from .conftest import DAY, HD


def trace(figure, name):
    return next(t for t in figure["data"] if t.get("name") == name)


def map_figure(table, highlight=HD):
    return charts.figure_json(
        charts.province_map_figure(
            table, highlight_code=highlight, denominator="population", geojson_url="/g.json"
        )
    )


def test_truong_sa_is_coloured_as_khanh_hoa(put_day):
    put_day(DAY, {"56": (300_000, 0, None), HD: (100_000, 0, None)})
    figure = map_figure(install_rank_table(on=DAY))
    rates = trace(figure, "rates")
    z = dict(zip(rates["locations"], rates["z"], strict=True))
    khanh_hoa = Province.objects.get(code="56").population_2019
    # VN-34 is Khánh Hòa's ISO code; percentages are rounded to 4 decimals.
    assert z[charts.TRUONG_SA_ID] == z["VN-34"] == round(300_000 / khanh_hoa * 100, 4)
    # The other 61 provinces have no figures: drawn grey; each of the 64 features once.
    assert len(trace(figure, "no-rate")["locations"]) == 61
    assert len(rates["locations"]) + len(trace(figure, "no-rate")["locations"]) == 64


def test_map_labels_both_archipelagos(db):
    with translation.override("vi"):
        figure = map_figure(install_rank_table(on=DAY))
    labels = trace(figure, "labels")
    assert labels["type"] == "scattermap" and labels["mode"] == "text"
    assert labels["text"] == ["Quần đảo Hoàng Sa (Đà Nẵng)", "Quần đảo Trường Sa (Khánh Hòa)"]


def test_map_needs_nothing_from_the_internet(db):
    figure = map_figure(install_rank_table(on=DAY))
    style = figure["layout"]["map"]["style"]
    assert style["sources"] == {} and "glyphs" not in style and "sprite" not in style
    assert "http" not in json.dumps(figure)


def test_map_outlines_the_own_province(db):
    choropleth = trace(map_figure(install_rank_table(on=DAY)), "no-rate")
    widths = dict(zip(choropleth["locations"], choropleth["marker"]["line"]["width"], strict=True))
    assert widths["VN-61"] > widths["VN-HN"]  # VN-61 is Hải Dương


def test_geojson_is_read_once_and_rounded(db):
    assert charts.province_geojson() is charts.province_geojson()
    for feature in charts.province_geojson()["features"]:
        ring = feature["geometry"]["coordinates"][0]
        ring = ring[0] if feature["geometry"]["type"] == "MultiPolygon" else ring
        assert ring[0] == ring[-1] and len(ring) >= 4
        assert all(round(x, 3) == x for point in ring for x in point)


def test_trend_puts_first_place_at_the_top(day):
    trend = province_install_trend(
        province=Province.objects.get(code=HD), date_from=DAY, date_to=DAY
    )
    layout = charts.figure_json(
        charts.install_trend_figure(trend, province_name="Hải Dương", denominator="population")
    )["layout"]
    low, high = layout["yaxis2"]["range"]
    assert low > high  # reversed: rank 1 on top
    assert layout["yaxis2"]["overlaying"] == "y"


def test_trend_hover_gives_the_date_once_as_day_month_year(day):
    trend = province_install_trend(
        province=Province.objects.get(code=HD), date_from=DAY, date_to=DAY
    )
    province = charts.install_trend_figure(
        trend, province_name="Hải Dương", denominator="population"
    )
    national = charts.national_trend_figure([], denominator="population")
    for figure in (charts.figure_json(province), charts.figure_json(national)):
        layout = figure["layout"]
        # "x unified": one label headed by the date, then a line per trace.
        assert layout["hovermode"] == "x unified"
        assert layout["xaxis"]["hoverformat"] == "%d/%m/%Y"
        assert all("%{x" not in trace["hovertemplate"] for trace in figure["data"])


def test_numbers_use_the_languages_separators(db):
    with translation.override("vi"):
        vi = charts.figure_json(
            charts.province_bar_figure([], highlight_code=None, denominator="population")
        )
    with translation.override("en"):
        en = charts.figure_json(
            charts.province_bar_figure([], highlight_code=None, denominator="population")
        )
    assert vi["layout"]["separators"] == ",."
    assert en["layout"]["separators"] == ".,"
    assert vi["layout"]["title"]["text"] != en["layout"]["title"]["text"]


def test_plotly_gets_the_mode_bar_and_month_names_in_vietnamese():
    with translation.override("vi"):
        locale = charts.plotly_locale()
    assert locale["moduleType"] == "locale" and locale["name"] == "vi"
    assert locale["dictionary"]["Download plot as a PNG"] == "Tải biểu đồ xuống dạng ảnh PNG"
    assert locale["dictionary"]["Reset axes"] == "Đặt lại các trục"
    assert locale["format"]["months"][0] == "Tháng 1"
    assert locale["format"]["days"][0] == "Chủ nhật"  # plotly.js weeks start on Sunday
    with translation.override("en"):
        assert charts.plotly_locale() is None  # plotly.js's own English
