import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import cache_control
from django.views.decorators.http import etag, require_GET
from django.views.generic import TemplateView

from tracing_portal.geo.models import Province

from . import charts
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
from .tracing_figures import tracing_figures_summary
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
        return urlencode(params)


def dashboard_query(request: HttpRequest) -> DashboardQuery:
    form = DashboardForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    # Scoping first: another province's code from a province user is a 404.
    province = dashboard_province(
        actor=request.user, province_code=request.GET.get("province") or None
    )
    first, latest = install_date_range()
    return DashboardQuery(
        form=form,
        on=data.get("on") or latest,
        first=first,
        latest=latest,
        denominator=data.get("denominator") or Denominator.POPULATION.value,
        province=province,
        target=data.get("target"),
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
            tracing=tracing_figures_summary(actor=self.request.user, province=q.province),
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


@require_GET
@etag(lambda request: f"provinces-{len(charts.province_geojson_bytes())}")
@cache_control(public=True, max_age=86400)
def provinces_geojson(request):
    """The province boundaries of the map, lightened (see charts.province_geojson)."""
    return HttpResponse(charts.province_geojson_bytes(), content_type="application/geo+json")
