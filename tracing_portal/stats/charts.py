"""Plotly figures of the install dashboards: selector output in, figure out.

Chart text goes through gettext, so build figures inside a request (the user's language).
Numbers follow the active language's separators ("21,52%" in Vietnamese).
"""

import json
from collections.abc import Sequence
from functools import cache

import plotly.graph_objects as go
from django.db.models import TextChoices
from django.utils import formats
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from tracing_portal.geo.reference import PROVINCES_GEOJSON

from .selectors import NationalDay, RankRow, TrendPoint
from .tracing_figures import PeopleFigures, TraceFigures, TracingFigures
from .types import Denominator

BRAND = "#0b5394"
HIGHLIGHT = "#a40e26"
MUTED = "#545d68"
FONT = '"Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif'

KHANH_HOA = "56"
# The extra Natural Earth feature for the Trường Sa (Spratly) archipelago, part of Khánh Hòa.
TRUONG_SA_ID = "VN-KH-TRUONG-SA"
# Hoàng Sa (Paracel) belongs to Đà Nẵng but has no polygon in the file: it is labelled.
HOANG_SA_LABEL_AT = (16.5, 112.0)
TRUONG_SA_LABEL_AT = (10.0, 114.5)
GEOJSON_DECIMALS = 3

# MapLibre style of a plain white background: no tiles, no sprite and no glyphs URL.
# Plotly's built-in "white-bg" style names a glyphs server on the internet, which MapLibre
# would call to draw the archipelago labels; without a glyphs URL it draws them with the
# browser's own fonts, so the map needs no network at all.
OFFLINE_MAP_STYLE = {
    "version": 8,
    "sources": {},
    "layers": [{"id": "white-bg", "type": "background", "paint": {"background-color": "#ffffff"}}],
}
MAP_CENTER = {"lat": 15.8, "lon": 109.6}
# The trends' right axis (rank, or installs) has its own title: room for it on the right.
TREND_MARGIN = {"l": 60, "r": 80, "t": 50, "b": 50}
MAP_ZOOM = 4.6


def _separators() -> str:
    """Plotly's decimal and thousands separators for the active language."""
    return formats.get_format("DECIMAL_SEPARATOR") + formats.get_format("THOUSAND_SEPARATOR")


def _base_layout(title: str, **extra) -> dict:
    return {
        # No Plotly template: the colours are set here, and the JSON stays small. Written
        # as plotly's validation expands "none" (figures here skip that validation).
        "template": {"data": {"scatter": [{"type": "scatter"}]}},
        "title": {"text": title, "font": {"size": 16}},
        "font": {"family": FONT, "color": "#1b1f24"},
        "separators": _separators(),
        "margin": {"l": 60, "r": 30, "t": 50, "b": 50},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"font": {"family": FONT}},
        **extra,
    }


def _pct(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 4)


def denominator_label(denominator: str) -> str:
    if Denominator(denominator) == Denominator.SMARTPHONE:
        return _("Installs with a phone number ÷ smartphone users")
    return _("Installs ÷ population (2019 census)")


def _with_layout(fig: go.Figure, layout: dict) -> go.Figure:
    """The figure's traces with this layout. Figures here are built without plotly's
    property validation (`_validate=False`): validating a layout costs ~8 ms, and the
    dashboard builds several per request; the tests check what the figures contain."""
    return go.Figure(data=fig.data, layout=layout, _validate=False)


def figure_json(fig: go.Figure) -> dict:
    """A figure as plain JSON data, for Django's json_script."""
    return json.loads(fig.to_json())


# --- plotly.js's own words ------------------------------------------------------------


def plotly_locale() -> dict | None:
    """plotly.js's locale for the active language: the words of its mode bar and notices,
    and month and day names (hover labels and date ticks). None in English, plotly.js's own.

    The bundle from the plotly package has English only, so the page registers this one
    (`Plotly.register`) and names it in each chart's config (static/js/stats-charts.js)."""
    language = get_language() or "en"
    if language.startswith("en"):
        return None
    # Keys are plotly.js's English words.
    dictionary = {
        "Autoscale": pgettext("chart tool", "Autoscale"),
        "Box Select": pgettext("chart tool", "Box Select"),
        "Compare data on hover": pgettext("chart tool", "Compare data on hover"),
        "Double-click on legend to isolate one trace": pgettext(
            "chart tool", "Double-click on legend to isolate one trace"
        ),
        "Double-click to zoom back out": pgettext("chart tool", "Double-click to zoom back out"),
        "Download plot": pgettext("chart tool", "Download plot"),
        "Download plot as a PNG": pgettext("chart tool", "Download plot as a PNG"),
        "Image download succeeded": pgettext("chart tool", "Image download succeeded"),
        "Lasso Select": pgettext("chart tool", "Lasso Select"),
        "Pan": pgettext("chart tool", "Pan"),
        "Preparing image - this may take a few seconds": pgettext(
            "chart tool", "Preparing image - this may take a few seconds"
        ),
        "Reset": pgettext("chart tool", "Reset"),
        "Reset axes": pgettext("chart tool", "Reset axes"),
        "Reset view": pgettext("chart tool", "Reset view"),
        "Show closest data on hover": pgettext("chart tool", "Show closest data on hover"),
        "Sorry, there was a problem downloading your image!": pgettext(
            "chart tool", "Sorry, there was a problem downloading your image!"
        ),
        "Toggle Spike Lines": pgettext("chart tool", "Toggle Spike Lines"),
        "Toggle show closest data on hover": pgettext(
            "chart tool", "Toggle show closest data on hover"
        ),
        "Zoom": pgettext("chart tool", "Zoom"),
        "Zoom in": pgettext("chart tool", "Zoom in"),
        "Zoom out": pgettext("chart tool", "Zoom out"),
        "trace": pgettext("chart tool", "trace"),
    }
    # plotly.js counts days from Sunday; Django's WEEKDAYS from Monday.
    days = [str(WEEKDAYS[(i + 6) % 7]) for i in range(7)]
    return {
        "moduleType": "locale",
        "name": language,
        "dictionary": dictionary,
        "format": {
            "days": days,
            "shortDays": days,
            "months": [str(MONTHS[i]) for i in range(1, 13)],
            "shortMonths": [str(MONTHS_3[i]) for i in range(1, 13)],
        },
    }


# --- the province boundaries ----------------------------------------------------------


def _round_ring(ring: list) -> list:
    rounded = []
    for lon, lat, *_rest in ring:
        point = [round(lon, GEOJSON_DECIMALS), round(lat, GEOJSON_DECIMALS)]
        if not rounded or point != rounded[-1]:
            rounded.append(point)
    # A ring must stay closed with at least four positions.
    return (
        rounded
        if len(rounded) >= 4
        else [[round(x, GEOJSON_DECIMALS) for x in p[:2]] for p in ring]
    )


def _round_geometry(geometry: dict) -> dict:
    if geometry["type"] == "Polygon":
        coordinates = [_round_ring(ring) for ring in geometry["coordinates"]]
    else:
        coordinates = [[_round_ring(ring) for ring in poly] for poly in geometry["coordinates"]]
    return {"type": geometry["type"], "coordinates": coordinates}


@cache
def province_geojson() -> dict:
    """The 63 provinces' boundaries (plus Trường Sa), read once and lightened: coordinates
    rounded to 3 decimals (about 100 m), feature ids set to the ISO 3166-2 code.

    The source file's names for VN-53, VN-66 and VN-39 are region names; they are never
    shown, since hover text comes from the portal's own Province table."""
    raw = json.loads(PROVINCES_GEOJSON.read_text(encoding="utf-8"))
    features = []
    for feature in raw["features"]:
        iso = feature["properties"].get("iso_3166_2", "")
        features.append(
            {
                "type": "Feature",
                "id": iso if iso.startswith("VN-") else TRUONG_SA_ID,
                "properties": {},
                "geometry": _round_geometry(feature["geometry"]),
            }
        )
    return {"type": "FeatureCollection", "features": features}


@cache
def province_geojson_bytes() -> bytes:
    return json.dumps(province_geojson(), separators=(",", ":")).encode()


# --- figures --------------------------------------------------------------------------


def install_trend_figure(
    points: Sequence[TrendPoint], *, province_name: str, denominator: str
) -> go.Figure:
    """The province's rate (left axis) and rank (right axis, first place at the top)."""
    dates = [p.date.isoformat() for p in points]
    ranked = max((p.ranked_count for p in points), default=63) or 63
    fig = go.Figure(_validate=False)
    fig.add_trace(
        go.Scatter(
            _validate=False,
            x=dates,
            y=[_pct(p.rate) for p in points],
            name=_("Install rate (%)"),
            mode="lines",
            line={"color": BRAND, "width": 2.5},
            customdata=[p.numerator for p in points],
            hovertemplate=_("Rate: %{y:.2f}%<br>Installs: %{customdata:,}") + "<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            _validate=False,
            x=dates,
            y=[p.rank for p in points],
            name=_("Rank"),
            mode="lines",
            yaxis="y2",
            line={"color": HIGHLIGHT, "width": 1.5, "dash": "dot"},
            customdata=[p.ranked_count for p in points],
            hovertemplate=_("Rank: %{y}/%{customdata}") + "<extra></extra>",
        )
    )
    fig = _with_layout(
        fig,
        _base_layout(
            _("%(province)s: install rate and rank") % {"province": province_name},
            height=380,
            margin=TREND_MARGIN,
            hovermode="x unified",
            legend={"orientation": "h", "y": -0.18},
            xaxis={
                "title": {"text": _("Date")},
                "tickformat": "%d/%m/%Y",
                "hoverformat": "%d/%m/%Y",
                "gridcolor": "#eef1f4",
            },
            yaxis={
                "title": {"text": _("Rate (%)")},
                "ticksuffix": "%",
                "rangemode": "tozero",
                "gridcolor": "#eef1f4",
            },
            yaxis2={
                "title": {"text": _("Rank (1 = highest)")},
                "overlaying": "y",
                "side": "right",
                "range": [ranked + 0.5, 0.5],
                "showgrid": False,
                "tickmode": "auto",
            },
        ),
    )
    return fig


def national_trend_figure(days: Sequence[NationalDay], *, denominator: str) -> go.Figure:
    dates = [d.date.isoformat() for d in days]
    fig = go.Figure(_validate=False)
    fig.add_trace(
        go.Scatter(
            _validate=False,
            x=dates,
            y=[_pct(d.rate) for d in days],
            name=_("National install rate (%)"),
            mode="lines",
            line={"color": BRAND, "width": 2.5},
            hovertemplate=_("Rate: %{y:.2f}%") + "<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            _validate=False,
            x=dates,
            y=[d.installs for d in days],
            name=_("Installs"),
            mode="lines",
            yaxis="y2",
            line={"color": MUTED, "width": 1.5, "dash": "dot"},
            hovertemplate=_("Installs: %{y:,}") + "<extra></extra>",
        )
    )
    fig = _with_layout(
        fig,
        _base_layout(
            _("Whole country: install rate and installs"),
            height=380,
            margin=TREND_MARGIN,
            hovermode="x unified",
            legend={"orientation": "h", "y": -0.18},
            xaxis={
                "title": {"text": _("Date")},
                "tickformat": "%d/%m/%Y",
                "hoverformat": "%d/%m/%Y",
                "gridcolor": "#eef1f4",
            },
            yaxis={
                "title": {"text": _("Rate (%)")},
                "ticksuffix": "%",
                "rangemode": "tozero",
                "gridcolor": "#eef1f4",
            },
            yaxis2={
                "title": {"text": _("Installs")},
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
                "showgrid": False,
                "tickformat": ",d",
            },
        ),
    )
    return fig


def province_bar_figure(
    rows: Sequence[RankRow], *, highlight_code: str | None, denominator: str
) -> go.Figure:
    """Every province with a rate, highest first; the highlighted province in red."""
    rated = [r for r in rows if r.rate is not None]
    fig = go.Figure(
        _validate=False,
        data=go.Bar(
            _validate=False,
            x=[r.province_name for r in rated],
            y=[_pct(r.rate) for r in rated],
            marker={
                "color": [HIGHLIGHT if r.province_code == highlight_code else BRAND for r in rated]
            },
            customdata=[[r.rank_label, r.numerator] for r in rated],
            hovertemplate=_(
                "<b>%{x}</b><br>Rate: %{y:.2f}%<br>Rank: %{customdata[0]}"
                "<br>Installs: %{customdata[1]:,}"
            )
            + "<extra></extra>",
        ),
    )
    fig = _with_layout(
        fig,
        _base_layout(
            _("Install rate of every province"),
            height=460,
            margin={"l": 60, "r": 20, "t": 50, "b": 140},
            xaxis={"tickangle": -60, "automargin": True},
            yaxis={"title": {"text": _("Rate (%)")}, "ticksuffix": "%", "gridcolor": "#eef1f4"},
            bargap=0.15,
        ),
    )
    return fig


def province_map_figure(
    rows: Sequence[RankRow], *, highlight_code: str | None, denominator: str, geojson_url: str
) -> go.Figure:
    """A choropleth of the rates on a plain white MapLibre map (no tiles). Provinces without
    a rate (no figures that day, or no smartphone figure) are drawn grey.

    `geojson_url` serves `province_geojson()`; the browser fetches it once and caches it,
    which keeps the page itself light."""
    rated: dict[str, list] = {key: [] for key in ("locations", "z", "custom", "width", "colour")}
    unrated: dict[str, list] = {key: [] for key in ("locations", "z", "custom", "width", "colour")}

    def add(location, row, name):
        group = rated if row.rate is not None else unrated
        own = row.province_code == highlight_code
        group["locations"].append(location)
        group["z"].append(_pct(row.rate) if row.rate is not None else 0)
        group["custom"].append([name, row.rank_label or _("no rate")])
        group["width"].append(3 if own else 0.6)
        group["colour"].append(HIGHLIGHT if own else "#ffffff")

    for row in rows:
        add(row.iso_3166_2, row, row.province_name)
        if row.province_code == KHANH_HOA:
            add(
                TRUONG_SA_ID,
                row,
                _("%(province)s (Trường Sa archipelago)") % {"province": row.province_name},
            )
    fig = go.Figure(_validate=False)
    # Both traces name the same URL, which plotly.js fetches once.
    fig.add_trace(
        go.Choroplethmap(
            _validate=False,
            name="no-rate",
            geojson=geojson_url,
            featureidkey="id",
            locations=unrated["locations"],
            z=unrated["z"],
            customdata=unrated["custom"],
            colorscale=[[0, "#d0d7de"], [1, "#d0d7de"]],
            showscale=False,
            marker={"line": {"width": unrated["width"], "color": unrated["colour"]}},
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Choroplethmap(
            _validate=False,
            name="rates",
            geojson=geojson_url,
            featureidkey="id",
            locations=rated["locations"],
            z=rated["z"],
            customdata=rated["custom"],
            colorscale="Blues",
            zmin=0,
            marker={"line": {"width": rated["width"], "color": rated["colour"]}, "opacity": 0.9},
            colorbar={"title": {"text": "%"}, "ticksuffix": "%", "thickness": 14},
            hovertemplate=_("<b>%{customdata[0]}</b><br>Rate: %{z:.2f}%<br>Rank: %{customdata[1]}")
            + "<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scattermap(
            _validate=False,
            name="labels",
            lat=[HOANG_SA_LABEL_AT[0], TRUONG_SA_LABEL_AT[0]],
            lon=[HOANG_SA_LABEL_AT[1], TRUONG_SA_LABEL_AT[1]],
            mode="text",
            text=[
                _("Hoàng Sa archipelago (Đà Nẵng)"),
                _("Trường Sa archipelago (Khánh Hòa)"),
            ],
            textfont={"size": 11, "color": MUTED},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig = _with_layout(
        fig,
        _base_layout(
            _("Install rate by province"),
            height=620,
            margin={"l": 0, "r": 0, "t": 50, "b": 0},
            map={"style": OFFLINE_MAP_STYLE, "center": MAP_CENTER, "zoom": MAP_ZOOM},
        ),
    )
    return fig


# --- tracing figures ------------------------------------------------------------------

STATUS_COLOURS = {
    "active": BRAND,
    "negative": "#8c959f",
    "recovered": "#1a7f37",
    "deceased": "#24292f",
    "released": "#8250df",
}
BLUEZONE_COLOURS = {"installed": "#1a7f37", "not_installed": HIGHLIGHT, "unknown": "#afb8c1"}
SMALL_CHART_HEIGHT = 320


def _small_layout(title: str, **extra) -> dict:
    return _base_layout(
        title,
        height=SMALL_CHART_HEIGHT,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        **extra,
    )


def _labels(choices: type[TextChoices]) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def _level_bars(people: PeopleFigures, choices, counts, colours: dict) -> go.Figure:
    """One bar per level, one stacked trace per choice; `counts(row)` is {value: people}."""
    levels = [row.label for row in people.levels]
    fig = go.Figure(_validate=False)
    for value, label in _labels(choices).items():
        fig.add_trace(
            go.Bar(
                _validate=False,
                x=levels,
                y=[counts(row)[value] for row in people.levels],
                name=label,
                marker={"color": colours.get(value, MUTED)},
                hovertemplate="<b>%{x}</b> · " + label + ": %{y:,}<extra></extra>",
            )
        )
    return fig


def people_by_level_figure(people: PeopleFigures) -> go.Figure:
    """People entered in the range: one bar per level, stacked by status."""
    from tracing_portal.cases.models import CaseStatus

    fig = _level_bars(people, CaseStatus, lambda row: row.by_status, STATUS_COLOURS)
    fig = _with_layout(
        fig,
        _small_layout(
            _("People by level and status"),
            barmode="stack",
            yaxis={
                "title": {"text": pgettext("number of people", "People")},
                "gridcolor": "#eef1f4",
                "tickformat": ",d",
            },
        ),
    )
    return fig


def coverage_by_level_figure(people: PeopleFigures) -> go.Figure:
    """Bluezone install status by level, each bar as 100% of the level's people."""
    from tracing_portal.cases.models import BluezoneStatus

    fig = _level_bars(people, BluezoneStatus, lambda row: row.by_bluezone, BLUEZONE_COLOURS)
    fig = _with_layout(
        fig,
        _small_layout(
            _("Bluezone among traced people, by level"),
            barmode="stack",
            barnorm="percent",
            yaxis={
                "title": {"text": _("Share of the level's people (%)")},
                "ticksuffix": "%",
                "range": [0, 100],
                "gridcolor": "#eef1f4",
            },
        ),
    )
    return fig


def traces_by_status_figure(traces: TraceFigures) -> go.Figure:
    """Trace requests opened in the range, one bar per status."""
    rows = traces.rows
    fig = go.Figure(
        _validate=False,
        data=go.Bar(
            _validate=False,
            x=[count for _value, _label, count in rows],
            y=[str(label) for _value, label, _count in rows],
            orientation="h",
            marker={"color": BRAND},
            hovertemplate="<b>%{y}</b>: %{x:,}<extra></extra>",
        ),
    )
    fig = _with_layout(
        fig,
        _small_layout(
            _("Trace requests by status"),
            xaxis={
                "title": {"text": _("Trace requests")},
                "gridcolor": "#eef1f4",
                "tickformat": ",d",
            },
            yaxis={"autorange": "reversed", "automargin": True},
            showlegend=False,
        ),
    )
    return fig


def tracing_figures(tracing: TracingFigures) -> list[tuple[str, go.Figure]]:
    """The tracing section's charts, by the name the page and its CSV links use."""
    return [
        ("people", people_by_level_figure(tracing.people)),
        ("coverage", coverage_by_level_figure(tracing.people)),
        ("traces", traces_by_status_figure(tracing.traces)),
    ]
