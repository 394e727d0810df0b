"""Export columns of the data the exchange app exports but no other app's resource covers:
the SMS log, Bluezone's F1 candidates and the Ministry's daily report. (People and facilities are in
`cases/resources.py`, install figures in `stats/resources.py`.)"""

from import_export import resources

from tracing_portal.bluezone.models import Review, TracedContact
from tracing_portal.notifications.models import SmsMessage, SmsStatus, TemplateKind

from .columns import Column
from .widgets import CellWidget, DateTimeWidget, DayFirstDateWidget, PhoneWidget, WordsWidget

SMS_KIND_WORDS = {
    TemplateKind.VERIFICATION_CODE: ("Mã xác thực (F0)",),
    TemplateKind.EXPOSURE_NOTICE: ("Thông báo tiếp xúc (F1)",),
    TemplateKind.INSTALL_REQUEST: ("Đề nghị cài Bluezone",),
    TemplateKind.REMINDER: ("Nhắc nhở",),
}
SMS_STATUS_WORDS = {
    SmsStatus.QUEUED: ("Đang chờ gửi",),
    SmsStatus.SENT: ("Đã gửi",),
    SmsStatus.DELIVERED: ("Đã đến máy",),
    SmsStatus.FAILED: ("Thất bại",),
}


class SmsMessageResource(resources.ModelResource):
    """The SMS log. The text itself is left out: it may hold a verification code."""

    queued_at = Column(attribute="queued_at", column_name="Thời gian", widget=DateTimeWidget())
    recipient = Column(attribute="recipient", column_name="Số điện thoại", widget=PhoneWidget())
    case = Column(attribute="case__code", column_name="Mã", widget=CellWidget())
    template_kind = Column(
        attribute="template_kind", column_name="Loại tin", widget=WordsWidget(SMS_KIND_WORDS)
    )
    status = Column(
        attribute="status", column_name="Trạng thái", widget=WordsWidget(SMS_STATUS_WORDS)
    )
    segments = Column(attribute="segments", column_name="Số phần tin", widget=CellWidget())
    sent_at = Column(attribute="sent_at", column_name="Gửi lúc", widget=DateTimeWidget())
    delivered_at = Column(
        attribute="delivered_at", column_name="Đến máy lúc", widget=DateTimeWidget()
    )
    error = Column(attribute="error", column_name="Lỗi", widget=CellWidget())
    sender = Column(attribute="sender", column_name="Đầu số", widget=CellWidget())
    created_by = Column(
        attribute="created_by__full_name", column_name="Người gửi", widget=CellWidget()
    )

    class Meta:
        model = SmsMessage
        fields = (
            "queued_at", "recipient", "case", "template_kind", "status", "segments",
            "sent_at", "delivered_at", "error", "sender", "created_by",
        )  # fmt: skip
        export_order = fields

    def __init__(self, *, full_phones: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.fields["recipient"].widget.full = full_phones


REVIEW_WORDS = {
    Review.PENDING: ("Chờ xét duyệt",),
    Review.ACCEPTED: ("Đã nhận là F1",),
    Review.REJECTED: ("Không nhận",),
}


class TracedContactResource(resources.ModelResource):
    """F1 candidates that Bluezone found near each traced F0, with their exposure."""

    f0_code = Column(attribute="trace__case__code", column_name="Mã F0", widget=CellWidget())
    f0_name = Column(
        attribute="trace__case__full_name", column_name="Họ và tên F0", widget=CellWidget()
    )
    trace = Column(attribute="trace_id", column_name="Lần truy vết", widget=CellWidget())
    phone = Column(attribute="phone", column_name="Số điện thoại", widget=PhoneWidget())
    sightings = Column(
        attribute="sightings_count", column_name="Số lần ghi nhận", widget=CellWidget()
    )
    first_seen = Column(attribute="first_seen", column_name="Lần đầu", widget=DateTimeWidget())
    last_seen = Column(attribute="last_seen", column_name="Lần cuối", widget=DateTimeWidget())
    minutes = Column(attribute="raw_minutes", column_name="Số phút ở gần", widget=CellWidget())
    weighted = Column(
        attribute="weighted_minutes", column_name="Số phút có trọng số", widget=CellWidget()
    )
    matched = Column(
        attribute="matched_case__code", column_name="Đã có trong hồ sơ", widget=CellWidget()
    )
    review = Column(attribute="review", column_name="Xét duyệt", widget=WordsWidget(REVIEW_WORDS))
    resulting = Column(
        attribute="resulting_case__code", column_name="Mã F1 đã tạo", widget=CellWidget()
    )

    class Meta:
        model = TracedContact
        fields = (
            "f0_code", "f0_name", "trace", "phone", "sightings", "first_seen", "last_seen",
            "minutes", "weighted", "matched", "review", "resulting",
        )  # fmt: skip
        export_order = fields

    def __init__(self, *, full_phones: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.fields["phone"].widget.full = full_phones


class _DistrictOrUnknown(CellWidget):
    def render(self, value, obj=None, **kwargs):
        return value or "Chưa rõ"


# The Ministry's daily report: the columns of `selectors.ministry_daily_counts`.
MINISTRY_REPORT_COLUMNS = [
    ("Ngày", DayFirstDateWidget(allow_future=True)),
    ("Mã tỉnh", CellWidget()),
    ("Tỉnh/Thành phố", CellWidget()),
    ("Quận/Huyện", _DistrictOrUnknown()),
    ("F0", CellWidget()),
    ("F1", CellWidget()),
    ("F2", CellWidget()),
    ("Tổng F0-F2", CellWidget()),
]
