"""Bluezone tracing in the API: the queue, trace requests, their contacts and candidates, and
install lookups. The same selectors and services as the tracing pages."""

import django_filters
from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from tracing_portal.api.mixins import ListApiMixin
from tracing_portal.api.schema import errors
from tracing_portal.cases.apis import PersonSerializer
from tracing_portal.cases.phones import mask
from tracing_portal.cases.selectors import case_get

from . import selectors, services
from .models import Lookup, TracedContact, TraceRequest, TraceState

TAGS = ["tracing"]


class TraceFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TraceState.choices)

    class Meta:
        model = TraceRequest
        fields: list[str] = []


class TraceContactFilterSet(django_filters.FilterSet):
    show = django_filters.ChoiceFilter(
        choices=[("candidates", "candidates"), ("others", "others"), ("all", "all")],
        help_text="candidates (the default): at or above the threshold; others: below it.",
    )

    class Meta:
        model = TracedContact
        fields: list[str] = []


class TraceSerializer(serializers.ModelSerializer):
    case_code = serializers.CharField(source="case.code", read_only=True)
    opened_by = serializers.CharField(source="opened_by.username", read_only=True)
    verification_code = serializers.SerializerMethodField(
        help_text="The 6-digit code for the person, while it is valid, for DIC operators only."
    )

    class Meta:
        model = TraceRequest
        fields = [
            "id",
            "case_code",
            "status",
            "opened_by",
            "created_at",
            "verification_code",
            "code_expires_at",
            "uploaded_at",
            "completed_at",
            "sightings_count",
            "contacts_count",
            "ingest_state",
            "error",
        ]
        read_only_fields = fields

    def get_verification_code(self, trace) -> str | None:
        request = self.context.get("request")
        if (
            trace.status == TraceState.CODE_ISSUED
            and request is not None
            and request.user.has_perm("bluezone.open_trace")
        ):
            return trace.verification_code or None
        return None


class PersonCodeMixin:
    def get_case(self):
        return case_get(actor=self.request.user, code=self.kwargs["code"])


class TraceMixin:
    def get_trace(self) -> TraceRequest:
        return selectors.trace_get(actor=self.request.user, pk=self.kwargs["pk"])


class TracingQueueApi(ListApiMixin, APIView):
    """Verified people waiting for a trace: F0s first, then the longest waiting."""

    required_permissions = ["bluezone.view_tracerequest"]

    class Pagination(ListApiMixin.pagination_class):
        ordering = ("level", "verified_at", "id")

    pagination_class = Pagination

    class OutputSerializer(PersonSerializer):
        pass

    @extend_schema(tags=TAGS, responses={200: OutputSerializer(many=True)})
    def get(self, request):
        queue = selectors.tracing_queue(actor=request.user).select_related("source")
        return self.paginate(queue, self.OutputSerializer)


class TraceListApi(ListApiMixin, APIView):
    required_permissions = ["bluezone.view_tracerequest"]
    filterset_class = TraceFilterSet

    class OutputSerializer(TraceSerializer):
        candidates = serializers.IntegerField(read_only=True)
        accepted = serializers.IntegerField(read_only=True)

        class Meta(TraceSerializer.Meta):
            fields = [*TraceSerializer.Meta.fields, "candidates", "accepted"]
            read_only_fields = fields

    @extend_schema(tags=TAGS, responses={200: OutputSerializer(many=True)})
    def get(self, request):
        traces = selectors.trace_list(
            actor=request.user, status=self.get_filters().get("status") or ""
        )
        return self.paginate(traces, self.OutputSerializer)


class TraceDetailApi(TraceMixin, APIView):
    """A trace request's status, its timeline and the counts of its contacts."""

    required_permissions = ["bluezone.view_tracerequest"]

    class OutputSerializer(TraceSerializer):
        class EventSerializer(serializers.Serializer):
            status = serializers.ChoiceField(choices=TraceState.choices)
            occurred_at = serializers.DateTimeField()
            source = serializers.CharField()

        class CountsSerializer(serializers.Serializer):
            total = serializers.IntegerField()
            candidates = serializers.IntegerField()
            without_phone = serializers.IntegerField()
            on_file = serializers.IntegerField()
            accepted = serializers.IntegerField()
            rejected = serializers.IntegerField()

        events = EventSerializer(many=True, source="events.all", read_only=True)
        counts = serializers.SerializerMethodField()
        threshold_minutes = serializers.SerializerMethodField()

        class Meta(TraceSerializer.Meta):
            fields = [*TraceSerializer.Meta.fields, "events", "counts", "threshold_minutes"]
            read_only_fields = fields

        @extend_schema_field(CountsSerializer)
        def get_counts(self, trace) -> dict:
            return selectors.trace_contact_counts(trace=trace)

        def get_threshold_minutes(self, trace) -> float:
            return settings.BLUEZONE_CANDIDATE_THRESHOLD_MINUTES

    @extend_schema(tags=TAGS, responses={200: OutputSerializer})
    def get(self, request, pk):
        trace = self.get_trace()
        return Response(self.OutputSerializer(trace, context={"request": request}).data)


class TraceOpenApi(PersonCodeMixin, APIView):
    """DIC opens a trace for a verified F0 (or a contact CDC flagged). Bluezone's 6-digit
    code follows from a task; read the trace again until its status is `code_issued`."""

    required_permissions = ["bluezone.open_trace"]

    class OutputSerializer(TraceSerializer):
        pass

    @extend_schema(tags=TAGS, request=None, responses={201: OutputSerializer})
    def post(self, request, code):
        trace = services.trace_request_open(actor=request.user, case=self.get_case())
        trace.refresh_from_db()
        return Response(
            self.OutputSerializer(trace, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class TraceRefreshApi(TraceMixin, APIView):
    """Ask Bluezone for the trace's state now, instead of waiting for the poll. If Bluezone
    cannot be reached the answer is 502 `bluezone_unavailable` and the trace is unchanged."""

    required_permissions = ["bluezone.view_tracerequest"]

    class OutputSerializer(TraceSerializer):
        pass

    @extend_schema(tags=TAGS, request=None, responses={200: OutputSerializer, **errors(502)})
    def post(self, request, pk):
        trace = services.trace_refresh(trace_id=self.get_trace().pk, source="portal")
        return Response(self.OutputSerializer(trace, context={"request": request}).data)


class TraceCancelApi(TraceMixin, APIView):
    """DIC cancels an open trace request, at Bluezone too: if Bluezone cannot be reached the
    answer is 502 `bluezone_unavailable` and the trace stays open."""

    required_permissions = ["bluezone.open_trace"]

    class OutputSerializer(TraceSerializer):
        pass

    @extend_schema(tags=TAGS, request=None, responses={200: OutputSerializer, **errors(502)})
    def post(self, request, pk):
        trace = services.trace_request_cancel(actor=request.user, trace=self.get_trace())
        return Response(self.OutputSerializer(trace, context={"request": request}).data)


class ContactSerializer(serializers.ModelSerializer):
    phone_masked = serializers.SerializerMethodField()
    on_file_code = serializers.SerializerMethodField()
    resulting_code = serializers.SerializerMethodField()
    minutes_by_bucket = serializers.DictField(child=serializers.FloatField(), read_only=True)

    class Meta:
        model = TracedContact
        fields = [
            "id",
            "contact_id",
            "phone_masked",
            "province_code",
            "sightings_count",
            "first_seen",
            "last_seen",
            "raw_minutes",
            "weighted_minutes",
            "minutes_by_bucket",
            "is_candidate",
            "on_file_code",
            "review",
            "reviewed_at",
            "reject_reason",
            "resulting_code",
        ]
        read_only_fields = fields

    def get_phone_masked(self, contact) -> str | None:
        return mask(contact.phone) or None

    def get_on_file_code(self, contact) -> str | None:
        return contact.matched_case.code if contact.matched_case_id else None

    def get_resulting_code(self, contact) -> str | None:
        return contact.resulting_case.code if contact.resulting_case_id else None


class TraceContactListApi(TraceMixin, ListApiMixin, APIView):
    """The contacts Bluezone matched, most exposed first, phones masked."""

    required_permissions = ["bluezone.view_tracerequest"]
    filterset_class = TraceContactFilterSet

    class Pagination(ListApiMixin.pagination_class):
        ordering = ("-weighted_minutes", "id")

    pagination_class = Pagination

    class OutputSerializer(ContactSerializer):
        pass

    @extend_schema(tags=TAGS, responses={200: OutputSerializer(many=True)})
    def get(self, request, pk):
        trace = self.get_trace()
        show = self.get_filters().get("show") or "candidates"
        return self.paginate(
            selectors.trace_contacts(trace=trace, show=show), self.OutputSerializer
        )


class CandidatesAcceptAllApi(TraceMixin, APIView):
    """Accept every pending candidate that has a phone; each on its own."""

    required_permissions = ["bluezone.review_candidate"]

    class OutputSerializer(serializers.Serializer):
        accepted = serializers.IntegerField()
        problems = serializers.ListField(child=serializers.CharField())

    @extend_schema(tags=TAGS, request=None, responses={200: OutputSerializer})
    def post(self, request, pk):
        accepted, problems = services.candidates_accept_all(
            actor=request.user, trace=self.get_trace()
        )
        return Response(self.OutputSerializer({"accepted": accepted, "problems": problems}).data)


class ContactMixin:
    def get_contact(self) -> TracedContact:
        return selectors.trace_contact_get(actor=self.request.user, pk=self.kwargs["pk"])


class CandidateAcceptApi(ContactMixin, APIView):
    """Make the candidate an F1 of the traced person, or link the person already on file
    with that phone."""

    required_permissions = ["bluezone.review_candidate"]

    class InputSerializer(serializers.Serializer):
        full_name = serializers.CharField(
            max_length=150,
            required=False,
            allow_blank=True,
            help_text="The name, if the person said it; else a placeholder.",
        )

    class OutputSerializer(serializers.Serializer):
        person = PersonSerializer()

    @extend_schema(tags=TAGS, request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request, pk):
        contact = self.get_contact()
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = services.candidate_accept(
            actor=request.user,
            contact=contact,
            full_name=serializer.validated_data.get("full_name", ""),
        )
        return Response(self.OutputSerializer({"person": person}).data)


class CandidateRejectApi(ContactMixin, APIView):
    required_permissions = ["bluezone.review_candidate"]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=300)

    class OutputSerializer(ContactSerializer):
        pass

    @extend_schema(tags=TAGS, request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request, pk):
        contact = self.get_contact()
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = services.candidate_reject(
            actor=request.user, contact=contact, reason=serializer.validated_data["reason"]
        )
        return Response(self.OutputSerializer(contact).data)


class LookupSerializer(serializers.ModelSerializer):
    phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = Lookup
        fields = [
            "id",
            "phone_masked",
            "reason",
            "status",
            "installed",
            "phone_verified",
            "checked_at",
            "created_at",
            "error",
        ]
        read_only_fields = fields

    def get_phone_masked(self, lookup) -> str:
        return mask(lookup.phone)


class LookupListApi(PersonCodeMixin, APIView):
    """The person's latest checks against Bluezone (as on the person page)."""

    required_permissions = ["cases.view_case"]

    class OutputSerializer(LookupSerializer):
        pass

    @extend_schema(tags=TAGS, responses={200: OutputSerializer(many=True)})
    def get(self, request, code):
        lookups = selectors.case_lookups(self.get_case())
        return Response(self.OutputSerializer(lookups, many=True).data)


class LookupCreateApi(PersonCodeMixin, APIView):
    """Check the person's phone against Bluezone; the answer arrives by task (read the
    lookups again)."""

    required_permissions = ["bluezone.request_lookup"]

    class OutputSerializer(LookupSerializer):
        pass

    @extend_schema(tags=TAGS, request=None, responses={201: OutputSerializer})
    def post(self, request, code):
        lookup = services.lookup_request(actor=request.user, case=self.get_case())
        lookup.refresh_from_db()
        return Response(self.OutputSerializer(lookup).data, status=status.HTTP_201_CREATED)
