"""SMS in the API: send one message to a person, and read the message log (numbers masked).
The same services and selectors as the SMS pages; sending is audited by `sms_send`."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from tracing_portal.api.mixins import ListApiMixin

from .forms import PAGE_KINDS
from .models import SmsMessage, SmsStatus, TemplateKind
from .selectors import sms_accepted_from_trace, sms_case_get, sms_message_list
from .services import default_purpose, sms_send

TAGS = ["sms"]


class SmsMessageFilterSet(django_filters.FilterSet):
    """The message log's filters (the page's LogFilterForm), applied by `sms_message_list`."""

    q = django_filters.CharFilter(max_length=40, help_text="A person's code or a phone number.")
    status = django_filters.ChoiceFilter(choices=SmsStatus.choices)
    template_kind = django_filters.ChoiceFilter(choices=TemplateKind.choices)
    date_from = django_filters.DateFilter(help_text="Queued on or after this day.")
    date_to = django_filters.DateFilter(help_text="Queued on or before this day.")

    class Meta:
        model = SmsMessage
        fields: list[str] = []


class SmsMessageSerializer(serializers.ModelSerializer):
    case_code = serializers.SerializerMethodField()
    recipient_masked = serializers.CharField(read_only=True)
    template_kind = serializers.ChoiceField(
        choices=TemplateKind.choices, allow_blank=True, read_only=True
    )
    sent_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = SmsMessage
        fields = [
            "id",
            "case_code",
            "recipient_masked",
            "sender",
            "template_kind",
            "purpose",
            "body",
            "encoding",
            "segments",
            "status",
            "attempts",
            "error",
            "resend_number",
            "with_diacritics",
            "sent_by",
            "queued_at",
            "sent_at",
            "delivered_at",
            "failed_at",
        ]
        read_only_fields = fields

    def get_case_code(self, message) -> str | None:
        return message.case.code if message.case_id else None


def _purpose(case, kind: str) -> str:
    """The purpose the SMS page sends under: a contact accepted from a trace gets their
    exposure notice under that trace's purpose, as its "notify accepted contacts" sends it,
    so it is not sent twice."""
    if kind == TemplateKind.EXPOSURE_NOTICE:
        trace_id = sms_accepted_from_trace(case=case)
        if trace_id is not None:
            return f"trace:{trace_id}"
    return default_purpose(kind)


class SmsSendApi(APIView):
    """Text the person from the short code. One message per person and kind: a second send
    is refused (400 "rejected") unless `resend` is true; an exposure notice already sent from
    the trace the person was accepted from counts. Daily caps apply."""

    required_permissions = ["notifications.send_sms"]

    class InputSerializer(serializers.Serializer):
        template_kind = serializers.ChoiceField(choices=PAGE_KINDS)
        with_diacritics = serializers.BooleanField(required=False, default=False)
        resend = serializers.BooleanField(
            required=False, default=False, help_text="Send it once more, on purpose."
        )

    class OutputSerializer(SmsMessageSerializer):
        pass

    @extend_schema(tags=TAGS, request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, code):
        case = sms_case_get(actor=request.user, code=code)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind = serializer.validated_data["template_kind"]
        message = sms_send(
            actor=request.user,
            case=case,
            template_kind=kind,
            purpose=_purpose(case, kind),
            with_diacritics=serializer.validated_data["with_diacritics"],
            resend=serializer.validated_data["resend"],
        )
        message.refresh_from_db()
        return Response(self.OutputSerializer(message).data, status=status.HTTP_201_CREATED)


class SmsMessageListApi(ListApiMixin, APIView):
    """The message log of the user's province, newest first."""

    required_permissions = ["notifications.view_smsmessage"]
    filterset_class = SmsMessageFilterSet

    class Pagination(ListApiMixin.pagination_class):
        ordering = ("-queued_at", "-id")

    pagination_class = Pagination

    class OutputSerializer(SmsMessageSerializer):
        pass

    @extend_schema(tags=TAGS, responses={200: OutputSerializer(many=True)})
    def get(self, request):
        messages = sms_message_list(actor=request.user, filters=self.get_filters())
        return self.paginate(messages, self.OutputSerializer)
