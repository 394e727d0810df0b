import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View
from django.views.decorators.cache import cache_control
from django.views.decorators.http import etag, require_GET
from django.views.generic import TemplateView

from tracing_portal.cases.models import BluezoneStatus, CaseStatus, F0Status
from tracing_portal.geo.models import Province

from . import charts
from . import tracing_figures as tf
from .forms import DashboardForm
from .selectors import (
    dashboard_province,
    install_date_range,
    install_rank_table,
    install_targets,
    national_install_headline,
    national_install_trend,
    province_install_headline,
    province_install_trend,
)
from .tracing_figures import DEFAULT_DAYS, TracingRange, tracing_figures_summary
from .types import Denominator

TREND_DAYS = 365


@dataclass(frozen=True)
class DashboardQuery:
    """What the dashboard (and its CSV downloads) show, resolved from the query string."""

    form: DashboardForm
    on: dt.date | None
    first: dt.date | None
    latest: dt.date | None
    denominator: str
    province: Province | None
    target: Decimal | None
    period: TracingRange
    period_given: bool

    @property
    def trend_from(self) -> dt.date | None:
        if self.on is None:
            return None
        start = self.on - dt.timedelta(days=TREND_DAYS)
        return max(start, self.first) if self.first else start

    @property
    def query_string(self) -> str:
        params = {"denominator": self.denominator}
        if self.on:
            params["on"] = self.on.isoformat()
        if self.province is not None:
            params["province"] = self.province.pk
        params["date_from"] = self.period.date_from.isoformat()
        params["date_to"] = self.period.date_to.isoformat()
        return urlencode(params)


def tracing_period(data: dict, *, province=None, today: dt.date | None = None) -> TracingRange:
    """The tracing figures' range from the cleaned query string: by default the last 30
    days, or the 30 days up to the province's latest entry when nobody was entered in them
    (`TracingRange.latest_days`); one end alone takes the other from the default (30 days,
    or up to today)."""
    today = today or timezone.localdate()
    date_from, date_to = data.get("date_from"), data.get("date_to")
    if date_from is None and date_to is None:
        return TracingRange.latest_days(province=province, today=today)
    if date_from is None:
        date_from = date_to - dt.timedelta(days=DEFAULT_DAYS - 1)
    if date_to is None:
        date_to = max(today, date_from)
    if date_from > date_to:
        return TracingRange.latest_days(province=province, today=today)
    return TracingRange(date_from=date_from, date_to=date_to)


def dashboard_query(request: HttpRequest) -> DashboardQuery:
    form = DashboardForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    # Scoping first: another province's code from a province user is a 404.
    province = dashboard_province(
        actor=request.user, province_code=request.GET.get("province") or None
    )
    first, latest = install_date_range()
    range_refused = bool(form.errors.keys() & {"date_from", "date_to"})
    return DashboardQuery(
        form=form,
        on=data.get("on") or latest,
        first=first,
        latest=latest,
        denominator=data.get("denominator") or Denominator.POPULATION.value,
        province=province,
        target=data.get("target"),
        # A refused range (its end before its start) shows the default, with the error.
        period=tracing_period({} if range_refused else data, province=province),
        period_given=bool(data.get("date_from") or data.get("date_to")) and not range_refused,
    )


class DashboardView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """The official's first page: the Bluezone install rate, its rank among the 63
    provinces and its trend; national administrators get the whole country."""

    permission_required = "stats.view_dashboard"
    template_name = "stats/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        q = dashboard_query(self.request)
        ctx.update(
            q=q,
            form=q.form,
            denominators=Denominator.choices,
            denominator_label=charts.denominator_label(q.denominator),
            plotly_locale=charts.plotly_locale(),
        )
        tracing = tracing_figures_summary(
            actor=self.request.user, province=q.province, period=q.period
        )
        ctx.update(
            tracing=tracing,
            tracing_figures={
                name: charts.figure_json(fig) for name, fig in charts.tracing_figures(tracing)
            },
        )
        if q.on is None:
            return ctx
        table = install_rank_table(on=q.on, denominator=q.denominator)
        own_code = q.province.pk if q.province else None
        geojson_url = reverse("stats:provinces_geojson")
        figures = {
            "bar": charts.province_bar_figure(
                table, highlight_code=own_code, denominator=q.denominator
            ),
            "map": charts.province_map_figure(
                table, highlight_code=own_code, denominator=q.denominator, geojson_url=geojson_url
            ),
        }
        if q.province is not None:
            headline = province_install_headline(
                province=q.province, on=q.on, denominator=q.denominator
            )
            trend = province_install_trend(
                province=q.province, date_from=q.trend_from, date_to=q.on, denominator=q.denominator
            )
            figures["trend"] = charts.install_trend_figure(
                trend, province_name=q.province.short_name, denominator=q.denominator
            )
            ctx["targets"] = install_targets(
                province=q.province, on=q.on, denominator=q.denominator, target_rate=q.target
            )
        else:
            headline = national_install_headline(on=q.on, denominator=q.denominator)
            days = national_install_trend(
                date_from=q.trend_from, date_to=q.on, denominator=q.denominator
            )
            figures["trend"] = charts.national_trend_figure(days, denominator=q.denominator)
        ctx.update(
            table=table,
            headline=headline,
            own_code=own_code,
            figures={name: charts.figure_json(fig) for name, fig in figures.items()},
            provinces=sorted(table, key=lambda r: r.province_name)
            if self.request.user.sees_all_provinces
            else [],
        )
        return ctx


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # lets Excel read the Vietnamese names as UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _csv_rate(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.4f}"


def _csv_value(value) -> str:
    return "" if value is None else str(value)


class LeagueTableCsvView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The league table of one day (the data of the bar chart and the map), as CSV."""

    permission_required = "stats.view_dashboard"

    def get(self, request):
        q = dashboard_query(request)
        rows = install_rank_table(on=q.on, denominator=q.denominator) if q.on else []
        header = [
            _("date"),
            _("province code"),
            _("province"),
            _("installs"),
            _("installs with phone"),
            _("smartphone users"),
            _("population (2019)"),
            _("rate (%)"),
            _("rank"),
            _("provinces ranked"),
        ]
        body = [
            [
                q.on.isoformat(),
                r.province_code,
                r.province_name,
                _csv_value(r.installs),
                _csv_value(r.installs_with_phone),
                _csv_value(r.smartphone_users),
                r.population,
                _csv_rate(r.rate),
                _csv_value(r.rank),
                r.ranked_count,
            ]
            for r in rows
        ]
        day = q.on.isoformat() if q.on else "none"
        return _csv_response(f"bluezone-league-{day}-{q.denominator}.csv", header, body)


class TrendCsvView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The trend chart's data as CSV: the province's, or the country's for the national
    view. Scoped like the page."""

    permission_required = "stats.view_dashboard"

    def get(self, request):
        q = dashboard_query(request)
        if q.on is None:
            return _csv_response("bluezone-trend.csv", [_("date")], [])
        if q.province is not None:
            points = province_install_trend(
                province=q.province, date_from=q.trend_from, date_to=q.on, denominator=q.denominator
            )
            header = [
                _("date"),
                _("province code"),
                _("installs"),
                _("rate numerator"),
                _("rate denominator"),
                _("rate (%)"),
                _("rank"),
                _("provinces ranked"),
            ]
            body = [
                [
                    p.date.isoformat(),
                    q.province.pk,
                    p.installs,
                    _csv_value(p.numerator),
                    _csv_value(p.denominator),
                    _csv_rate(p.rate),
                    _csv_value(p.rank),
                    p.ranked_count,
                ]
                for p in points
            ]
            name = f"bluezone-trend-{q.province.pk}-{q.on.isoformat()}-{q.denominator}.csv"
            return _csv_response(name, header, body)
        days = national_install_trend(
            date_from=q.trend_from, date_to=q.on, denominator=q.denominator
        )
        header = [
            _("date"),
            _("installs"),
            _("installs with phone"),
            _("smartphone users"),
            _("population (2019)"),
            _("provinces reporting"),
            _("rate (%)"),
        ]
        body = [
            [
                d.date.isoformat(),
                d.installs,
                d.installs_with_phone,
                _csv_value(d.smartphone_users),
                d.population,
                d.provinces_reporting,
                _csv_rate(d.rate),
            ]
            for d in days
        ]
        return _csv_response(
            f"bluezone-trend-national-{q.on.isoformat()}-{q.denominator}.csv", header, body
        )


# --- the tracing figures as CSV -------------------------------------------------------


def _csv_share(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.2f}"


def _csv_time(value: dt.datetime | None) -> str:
    return "" if value is None else timezone.localtime(value).isoformat(timespec="seconds")


def _people_rows(figures: tf.PeopleFigures) -> list:
    return [*figures.levels, figures.total]


def _level_label(row: tf.LevelRow) -> str:
    return row.label or pgettext("tracing CSV", "all levels")


def _people_csv(scope: dict) -> tuple[list, list]:
    figures = tf.people_figures(**scope)
    header = [
        pgettext("tracing CSV", "level"),
        pgettext("tracing CSV", "people"),
        *[str(label) for label in CaseStatus.labels],
        *[_("F0 %(classification)s") % {"classification": label} for label in F0Status.labels],
    ]
    rows = [
        [
            _level_label(r),
            r.total,
            *r.status_counts,
            *[r.by_f0_status[value] for value in F0Status.values],
        ]
        for r in _people_rows(figures)
    ]
    return header, rows


def _backlog_csv(scope: dict) -> tuple[list, list]:
    figures = tf.people_figures(**scope)
    header = [
        pgettext("tracing CSV", "level"),
        _("pending verification"),
        _("pending under 1 day"),
        _("pending 1 to 3 days"),
        _("pending over 3 days"),
        _("oldest pending entered at"),
        _("counted at"),
    ]
    rows = [
        [
            _level_label(r),
            r.pending,
            r.pending_under_1_day,
            r.pending_1_to_3_days,
            r.pending_over_3_days,
            _csv_time(r.oldest_pending),
            _csv_time(figures.now),
        ]
        for r in _people_rows(figures)
    ]
    return header, rows


def _coverage_csv(scope: dict) -> tuple[list, list]:
    figures = tf.people_figures(**scope)
    header = [
        pgettext("tracing CSV", "level"),
        pgettext("tracing CSV", "people"),
        *[str(label) for label in BluezoneStatus.labels],
        _("installed (%)"),
    ]
    rows = [
        [_level_label(r), r.total, *r.bluezone_counts, _csv_share(r.coverage)]
        for r in _people_rows(figures)
    ]
    return header, rows


def _install_asks_csv(scope: dict) -> tuple[list, list]:
    figures = tf.install_ask_figures(**scope)
    header = [_("people asked to install"), _("installed after the ask"), _("converted (%)")]
    return header, [[figures.asked, figures.converted, _csv_share(figures.share)]]


def _traces_csv(scope: dict) -> tuple[list, list]:
    figures = tf.trace_figures(**scope)
    header = [_("status code"), pgettext("tracing CSV", "status"), _("trace requests")]
    rows = [[value, str(label), count] for value, label, count in figures.rows]
    return header, [*rows, ["", _("all statuses"), figures.total]]


def _candidates_csv(scope: dict) -> tuple[list, list]:
    figures = tf.candidate_figures(**scope)
    header = [_("review code"), pgettext("tracing CSV", "review"), _("F1 candidates")]
    rows = [[value, str(label), count] for value, label, count in figures.rows]
    return header, [*rows, ["", _("all candidates"), figures.total]]


def _sms_csv(scope: dict) -> tuple[list, list]:
    f = tf.sms_figures(**scope)
    header = [
        pgettext("tracing CSV", "messages"),
        _("handed to the operator"),
        pgettext("tracing CSV", "delivered"),
        pgettext("tracing CSV", "failed"),
        _("awaiting a delivery report"),
        _("still queued"),
        _("delivery rate (%)"),
    ]
    row = [
        f.total,
        f.handed_to_operator,
        f.delivered,
        f.failed,
        f.awaiting_report,
        f.queued,
        _csv_share(f.delivery_rate),
    ]
    return header, [row]


def _verification_to_trace_csv(scope: dict) -> tuple[list, list]:
    f = tf.verification_to_trace(**scope)
    header = [
        _("F0s verified"),
        _("traced since"),
        _("not traced yet"),
        _("median hours from verification to trace request"),
    ]
    hours = "" if f.median_hours is None else f"{f.median_hours:.2f}"
    return header, [[f.verified_f0, f.traced, f.not_traced, hours]]


TRACING_CSV = {
    "people": _people_csv,
    "backlog": _backlog_csv,
    "coverage": _coverage_csv,
    "install-asks": _install_asks_csv,
    "traces": _traces_csv,
    "candidates": _candidates_csv,
    "sms": _sms_csv,
    "verification-to-trace": _verification_to_trace_csv,
}


class TracingCsvView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """One figure of the tracing section as CSV: aggregates only, scoped like the page
    (the province shown, or the whole country in a national administrator's national
    view) over the page's range of days."""

    permission_required = "stats.view_dashboard"

    def get(self, request, name: str):
        if name not in TRACING_CSV:
            raise Http404
        q = dashboard_query(request)
        scope = {"actor": request.user, "province": q.province, "period": q.period}
        header, rows = TRACING_CSV[name](scope)
        place = q.province.pk if q.province else "national"
        where = q.province.short_name if q.province else _("whole country")
        period = [q.period.date_from.isoformat(), q.period.date_to.isoformat(), where]
        filename = (
            f"tracing-{name}-{place}-{q.period.date_from.isoformat()}"
            f"-{q.period.date_to.isoformat()}.csv"
        )
        return _csv_response(
            filename,
            [
                pgettext("tracing CSV", "from"),
                pgettext("tracing CSV", "to"),
                _("province"),
                *header,
            ],
            [[*period, *row] for row in rows],
        )


@require_GET
@etag(lambda request: f"provinces-{len(charts.province_geojson_bytes())}")
@cache_control(public=True, max_age=86400)
def provinces_geojson(request):
    """The province boundaries of the map, lightened (see charts.province_geojson)."""
    return HttpResponse(charts.province_geojson_bytes(), content_type="application/geo+json")
