"""Install figures and tracing figures in the API, scoped as the dashboard is: a province's
user reads their own province (another province's code is a 404); national administrators
read the country or any province. The league table of a day covers all 63 provinces for
everyone, as on the dashboard."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tracing_portal.api import messages
from tracing_portal.api.mixins import ListApiMixin
from tracing_portal.api.schema import errors

from .models import InstallSnapshot
from .selectors import (
    dashboard_province,
    install_date_range,
    install_rank_table,
    national_install_headline,
    province_install_headline,
)
from .tracing_figures import tracing_figures_summary
from .types import Denominator
from .views import tracing_period

TAGS = ["stats"]
PROVINCE_HELP = "GSO code (e.g. 30). Province users may give only their own."


class InstallSnapshotFilterSet(django_filters.FilterSet):
    province = django_filters.CharFilter(max_length=2, help_text=PROVINCE_HELP)
    date_from = django_filters.DateFilter()
    date_to = django_filters.DateFilter()

    class Meta:
        model = InstallSnapshot
        fields: list[str] = []


class DayQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="The day; default: the latest.")
    denominator = serializers.ChoiceField(
        choices=Denominator.choices, required=False, default=Denominator.POPULATION
    )


class ProvinceDayQuerySerializer(DayQuerySerializer):
    province = serializers.CharField(required=False, max_length=2, help_text=PROVINCE_HELP)


def _query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    if "on" not in data:
        data["on"] = install_date_range()[1]
    return data


class InstallSnapshotListApi(ListApiMixin, APIView):
    """Daily install figures as Bluezone reported them, newest first: the user's province,
    or for national administrators every province (or the one asked for)."""

    required_permissions = ["stats.view_dashboard"]
    filterset_class = InstallSnapshotFilterSet

    class Pagination(ListApiMixin.pagination_class):
        ordering = ("-date", "-id")

    pagination_class = Pagination

    class OutputSerializer(serializers.ModelSerializer):
        province = serializers.CharField(source="province_id", read_only=True)

        class Meta:
            model = InstallSnapshot
            fields = [
                "province",
                "date",
                "installs",
                "installs_with_phone",
                "smartphone_users",
                "source",
            ]
            read_only_fields = fields

    @extend_schema(tags=TAGS, responses={200: OutputSerializer(many=True)})
    def get(self, request):
        filters = self.get_filters()
        province = dashboard_province(actor=request.user, province_code=filters.get("province"))
        snapshots = InstallSnapshot.objects.all()
        if province is not None:
            snapshots = snapshots.filter(province=province)
        if filters.get("date_from"):
            snapshots = snapshots.filter(date__gte=filters["date_from"])
        if filters.get("date_to"):
            snapshots = snapshots.filter(date__lte=filters["date_to"])
        return self.paginate(snapshots, self.OutputSerializer)


class InstallRankApi(APIView):
    """All 63 provinces on a day, best rate first; ties share a rank, and provinces without
    a rate come last without one (the dashboard's league table)."""

    required_permissions = ["stats.view_dashboard"]

    class OutputSerializer(serializers.Serializer):
        class RowSerializer(serializers.Serializer):
            province_code = serializers.CharField()
            province_name = serializers.CharField()
            iso_3166_2 = serializers.CharField()
            population = serializers.IntegerField()
            installs = serializers.IntegerField(allow_null=True)
            installs_with_phone = serializers.IntegerField(allow_null=True)
            smartphone_users = serializers.IntegerField(allow_null=True)
            rate = serializers.FloatField(allow_null=True, help_text="A fraction: 0.2152.")
            rank = serializers.IntegerField(allow_null=True)
            ranked_count = serializers.IntegerField()

        on = serializers.DateField(allow_null=True)
        denominator = serializers.ChoiceField(choices=Denominator.choices)
        provinces = RowSerializer(many=True)

    @extend_schema(
        tags=TAGS,
        parameters=[DayQuerySerializer],
        responses={200: OutputSerializer, **errors(400)},
    )
    def get(self, request):
        query = _query(DayQuerySerializer, request)
        rows = install_rank_table(**query) if query["on"] else []
        return Response(self.OutputSerializer({**query, "provinces": rows}).data)


class InstallHeadlineApi(APIView):
    """The rate and rank on a day and a week earlier: the user's province ("6/63"), or the
    country for national administrators who name no province."""

    required_permissions = ["stats.view_dashboard"]

    class OutputSerializer(serializers.Serializer):
        province_code = serializers.CharField(allow_null=True)
        province_name = serializers.CharField(allow_null=True)
        on = serializers.DateField(allow_null=True)
        denominator = serializers.ChoiceField(choices=Denominator.choices)
        installs = serializers.IntegerField(allow_null=True)
        rate = serializers.FloatField(allow_null=True)
        rank = serializers.IntegerField(allow_null=True)
        ranked_count = serializers.IntegerField(allow_null=True)
        previous_date = serializers.DateField(allow_null=True)
        previous_rate = serializers.FloatField(allow_null=True)
        previous_rank = serializers.IntegerField(allow_null=True)
        rate_change = serializers.FloatField(allow_null=True)

    @extend_schema(
        tags=TAGS,
        parameters=[ProvinceDayQuerySerializer],
        responses={200: OutputSerializer, **errors(400, 404)},
    )
    def get(self, request):
        query = _query(ProvinceDayQuerySerializer, request)
        province = dashboard_province(actor=request.user, province_code=query.get("province"))
        on, denominator = query["on"], query["denominator"]
        data = dict.fromkeys(self.OutputSerializer().fields)
        data.update(
            province_code=province.pk if province else None,
            province_name=province.short_name if province else None,
            on=on,
            denominator=denominator,
        )
        if on is not None and province is not None:
            headline = province_install_headline(province=province, on=on, denominator=denominator)
            data.update(
                installs=headline.installs,
                rate=headline.rate,
                rank=headline.rank,
                ranked_count=headline.ranked_count,
                previous_date=headline.previous_date,
                previous_rate=headline.previous_rate,
                previous_rank=headline.previous_rank,
                rate_change=headline.rate_change,
            )
        elif on is not None:
            headline = national_install_headline(on=on, denominator=denominator)
            data.update(
                installs=headline.installs,
                rate=headline.rate,
                previous_date=headline.previous_date,
                previous_rate=headline.previous_rate,
                rate_change=headline.rate_change,
            )
        return Response(self.OutputSerializer(data).data)


class LevelFiguresSerializer(serializers.Serializer):
    level = serializers.IntegerField(allow_null=True, help_text="null: every level together.")
    label = serializers.CharField()
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_bluezone = serializers.DictField(child=serializers.IntegerField())
    by_f0_status = serializers.DictField(child=serializers.IntegerField())
    by_verification = serializers.DictField(child=serializers.IntegerField())
    pending_under_1_day = serializers.IntegerField()
    pending_1_to_3_days = serializers.IntegerField()
    pending_over_3_days = serializers.IntegerField()
    oldest_pending = serializers.DateTimeField(allow_null=True)
    coverage = serializers.FloatField(
        allow_null=True, help_text="Share with Bluezone confirmed installed (a fraction)."
    )
    coverage_of_known = serializers.FloatField(allow_null=True)


class TracingFiguresApi(APIView):
    """The tracing figures beside the install rates (the dashboard's tracing section) over a
    range of days, as on the dashboard (default: the last 30 days; one end alone takes the
    other from that default): people by level, the verification backlog, Bluezone
    coverage, asks to install, trace requests, candidates, SMS, and the time from verifying
    an F0 to opening its trace."""

    required_permissions = ["stats.view_dashboard"]

    class QuerySerializer(serializers.Serializer):
        province = serializers.CharField(required=False, max_length=2, help_text=PROVINCE_HELP)
        date_from = serializers.DateField(required=False)
        date_to = serializers.DateField(required=False)

        def validate(self, data):
            date_from, date_to = data.get("date_from"), data.get("date_to")
            if date_from and date_to and date_from > date_to:
                raise serializers.ValidationError({"date_from": messages.DATE_RANGE_REVERSED})
            return data

    class OutputSerializer(serializers.Serializer):
        class PeopleSerializer(serializers.Serializer):
            levels = LevelFiguresSerializer(many=True)
            total = LevelFiguresSerializer()

        class InstallAsksSerializer(serializers.Serializer):
            asked = serializers.IntegerField()
            converted = serializers.IntegerField()
            share = serializers.FloatField(allow_null=True)

        class TracesSerializer(serializers.Serializer):
            total = serializers.IntegerField()
            by_status = serializers.DictField(child=serializers.IntegerField())

        class CandidatesSerializer(serializers.Serializer):
            pending = serializers.IntegerField()
            accepted = serializers.IntegerField()
            rejected = serializers.IntegerField()
            acceptance = serializers.FloatField(allow_null=True)

        class SmsSerializer(serializers.Serializer):
            total = serializers.IntegerField()
            handed_to_operator = serializers.IntegerField()
            queued = serializers.IntegerField()
            awaiting_report = serializers.IntegerField()
            delivered = serializers.IntegerField()
            failed = serializers.IntegerField()
            delivery_rate = serializers.FloatField(allow_null=True)

        class VerificationToTraceSerializer(serializers.Serializer):
            verified_f0 = serializers.IntegerField()
            traced = serializers.IntegerField()
            not_traced = serializers.IntegerField()
            median_hours = serializers.FloatField(allow_null=True)

        province_code = serializers.SerializerMethodField(help_text="null: the country.")
        date_from = serializers.DateField(source="period.date_from")
        date_to = serializers.DateField(source="period.date_to")
        people = PeopleSerializer()
        install_asks = InstallAsksSerializer()
        traces = TracesSerializer()
        candidates = CandidatesSerializer()
        sms = SmsSerializer()
        verification_to_trace = VerificationToTraceSerializer()

        def get_province_code(self, summary) -> str | None:
            return summary.province.pk if summary.province else None

    @extend_schema(
        tags=TAGS,
        parameters=[QuerySerializer],
        responses={200: OutputSerializer, **errors(400, 404)},
    )
    def get(self, request):
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        province = dashboard_province(actor=request.user, province_code=data.get("province"))
        summary = tracing_figures_summary(
            actor=request.user,
            province=province,
            period=tracing_period(data, province=province),
        )
        return Response(self.OutputSerializer(summary).data)
