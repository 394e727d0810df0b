"""Spreadsheet columns of people and quarantine facilities (django-import-export).

Headers are Vietnamese, with the aliases police and CDC sheets really use. The exchange
app's fast importer and streaming export read their columns from these resources.
"""

import datetime as dt

from import_export import resources

from tracing_portal.exchange.cells import CellError
from tracing_portal.exchange.columns import Column
from tracing_portal.exchange.widgets import (
    CodeWidget,
    CountWidget,
    DateTimeWidget,
    DayFirstDateWidget,
    DistrictWidget,
    LevelWidget,
    NameWidget,
    NationalIdWidget,
    PhoneWidget,
    ProvinceWidget,
    TextWidget,
    WordsWidget,
    YearWidget,
    other_province_message,
)

from .models import (
    MAX_LEVEL,
    BluezoneStatus,
    Case,
    CaseStatus,
    F0Status,
    QuarantineFacility,
    Relation,
    Sex,
    Verification,
)

# The first word of each value is what export writes; import accepts any of them.
SEX_WORDS = {
    Sex.MALE: ("Nam", "male", "m", "trai"),
    Sex.FEMALE: ("Nữ", "female", "f", "gái"),
    Sex.UNKNOWN: ("Không rõ", "unknown", "?", "chưa rõ"),
}
RELATION_WORDS = {
    Relation.HOUSEHOLD: ("Hộ gia đình", "gia đình", "cùng nhà", "cùng hộ", "household"),
    Relation.RELATIVE: ("Họ hàng", "người thân", "relative"),
    Relation.WORKPLACE: ("Nơi làm việc", "đồng nghiệp", "cơ quan", "cùng cơ quan", "workplace"),
    Relation.NEIGHBOUR: ("Hàng xóm", "láng giềng", "neighbour", "neighbor"),
    Relation.TRAVEL: (
        "Đi cùng chuyến",
        "cùng chuyến xe",
        "đi cùng chuyến xe",
        "cùng chuyến bay",
        "đi lại",
        "travel",
    ),
    Relation.HEALTHCARE: ("Cơ sở y tế", "bệnh viện", "y tế", "healthcare"),
    Relation.BLUEZONE: ("Bluezone", "tiếp xúc gần (Bluezone)", "bluezone proximity"),
    Relation.OTHER: ("Khác", "other"),
}
BLUEZONE_WORDS = {
    BluezoneStatus.INSTALLED: ("Có", "đã cài", "x", "1", "yes", "true", "installed", "rồi"),
    BluezoneStatus.NOT_INSTALLED: (
        "Không",
        "chưa",
        "chưa cài",
        "không cài",
        "0",
        "no",
        "false",
        "not installed",
    ),
    BluezoneStatus.UNKNOWN: ("Không rõ", "chưa rõ", "?", "unknown"),
}
F0_WORDS = {
    F0Status.SUSPECTED: ("Nghi nhiễm", "nghi ngờ", "suspected"),
    F0Status.CONFIRMED: ("Xác định", "đã xác định", "dương tính", "confirmed"),
}
STATUS_WORDS = {
    CaseStatus.ACTIVE: ("Đang theo dõi", "đang cách ly", "active"),
    CaseStatus.NEGATIVE: ("Âm tính", "negative"),
    CaseStatus.RECOVERED: ("Khỏi bệnh", "đã khỏi", "recovered"),
    CaseStatus.DECEASED: ("Tử vong", "deceased"),
    CaseStatus.RELEASED: ("Hết cách ly", "đã hết cách ly", "released"),
}
VERIFICATION_WORDS = {
    Verification.PENDING: ("Chờ xác minh",),
    Verification.VERIFIED: ("Đã xác minh",),
    Verification.REJECTED: ("Bị từ chối",),
}
EXPOSURE_EARLIEST = dt.date(2019, 12, 1)


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class CaseResource(resources.ModelResource):
    """People. Import (fast path): `code` matches a person on file; `source` is the source's
    code, on file or in the same sheet. `full_phones=True` exports numbers unmasked."""

    code = Column(
        attribute="code",
        column_name="Mã",
        widget=CodeWidget(),
        aliases=("Mã người", "Mã số", "Mã BN", "Mã ca bệnh", "Code"),
    )
    full_name = Column(
        attribute="full_name",
        column_name="Họ và tên",
        widget=NameWidget(max_length=_max(Case, "full_name"), required=True),
        aliases=("Họ tên", "Họ và tên người tiếp xúc", "Full name"),
        required=True,
    )
    year_of_birth = Column(
        attribute="year_of_birth",
        column_name="Năm sinh",
        widget=YearWidget(),
        aliases=("Ngày sinh", "Ngày tháng năm sinh", "Year of birth"),
    )
    sex = Column(
        attribute="sex",
        column_name="Giới tính",
        widget=WordsWidget(SEX_WORDS),
        aliases=("Giới", "Sex"),
    )
    national_id = Column(
        attribute="national_id",
        column_name="CMND/CCCD",
        widget=NationalIdWidget(),
        aliases=("CMND", "CCCD", "Số CMND", "Số CCCD", "Số CMND/CCCD", "Căn cước", "National ID"),
    )
    phone = Column(
        attribute="phone",
        column_name="Số điện thoại",
        widget=PhoneWidget(),
        aliases=("SĐT", "Điện thoại", "ĐT", "Số ĐT", "Phone"),
    )
    address = Column(
        attribute="address",
        column_name="Nơi ở",
        widget=TextWidget(max_length=_max(Case, "address")),
        aliases=("Địa chỉ", "Nơi ở hiện nay", "Nơi cư trú", "Chỗ ở", "Address"),
    )
    district = Column(
        attribute="district__name",
        column_name="Quận/Huyện",
        widget=DistrictWidget(),
        aliases=("Huyện", "Quận", "Huyện/Thị xã/Thành phố", "District"),
    )
    province = Column(
        attribute="province_id",
        column_name="Mã tỉnh",
        widget=ProvinceWidget(),
        aliases=("Mã tỉnh/TP", "Province code"),
    )
    province_name = Column(
        attribute="province__short_name",
        column_name="Tỉnh/Thành phố",
        widget=ProvinceWidget(as_name=True),
        aliases=("Tỉnh", "Tỉnh/TP", "Tỉnh thành", "Province"),
    )
    source = Column(
        attribute="source__code",
        column_name="Nguồn lây",
        widget=CodeWidget(),
        aliases=("Mã nguồn lây", "Nguồn", "Tiếp xúc với", "F0 nguồn", "Source"),
    )
    relation = Column(
        attribute="relation",
        column_name="Mối quan hệ",
        widget=WordsWidget(RELATION_WORDS, fallback=Relation.OTHER),
        aliases=("Quan hệ", "Quan hệ với nguồn lây", "Mối quan hệ với F0", "Relation"),
    )
    exposure_date = Column(
        attribute="exposure_date",
        column_name="Ngày tiếp xúc",
        widget=DayFirstDateWidget(earliest=EXPOSURE_EARLIEST),
        aliases=("Ngày tiếp xúc cuối", "Ngày tiếp xúc gần nhất", "Exposure date"),
    )
    level = Column(
        attribute="level",
        column_name="Cấp độ",
        widget=LevelWidget(max_level=MAX_LEVEL),
        aliases=("Cấp", "Phân cấp", "F", "Level"),
    )
    f0_status = Column(
        attribute="f0_status",
        column_name="Phân loại F0",
        widget=WordsWidget(F0_WORDS),
        aliases=("Phân loại ca bệnh",),
    )
    status = Column(
        attribute="status",
        column_name="Tình trạng",
        widget=WordsWidget(STATUS_WORDS),
        aliases=("Trạng thái", "Status"),
    )
    bluezone_status = Column(
        attribute="bluezone_status",
        column_name="Đã cài Bluezone",
        widget=WordsWidget(BLUEZONE_WORDS),
        aliases=("Cài Bluezone", "Bluezone", "Có cài Bluezone"),
    )
    notes = Column(
        attribute="notes",
        column_name="Ghi chú",
        widget=TextWidget(max_length=10000),
        aliases=("Notes",),
    )
    verification = Column(
        attribute="verification",
        column_name="Xác minh",
        widget=WordsWidget(VERIFICATION_WORDS),
        readonly=True,
    )
    created_at = Column(
        attribute="created_at", column_name="Ngày nhập", widget=DateTimeWidget(), readonly=True
    )

    class Meta:
        model = Case
        fields = (
            "code", "full_name", "year_of_birth", "sex", "national_id", "phone", "address",
            "district", "province", "province_name", "source", "relation", "exposure_date", "level",
            "f0_status", "status", "bluezone_status", "notes", "verification", "created_at",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("code",)

    def __init__(self, *, full_phones: bool = False, province_id: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.fields["phone"].widget.full = full_phones
        self.fields["district"].widget.set_province(province_id)


class FacilityResource(resources.ModelResource):
    """Quarantine facilities of a province; a facility is matched by its name."""

    name = Column(
        attribute="name",
        column_name="Tên khu cách ly",
        widget=TextWidget(max_length=_max(QuarantineFacility, "name"), required=True),
        aliases=("Khu cách ly", "Tên cơ sở", "Cơ sở cách ly", "Tên", "Name"),
        required=True,
    )
    address = Column(
        attribute="address",
        column_name="Địa chỉ",
        widget=TextWidget(max_length=_max(QuarantineFacility, "address")),
        aliases=("Nơi ở", "Address"),
    )
    capacity = Column(
        attribute="capacity",
        column_name="Sức chứa",
        widget=CountWidget(required=True),
        aliases=("Số giường", "Quy mô", "Số chỗ", "Capacity"),
        required=True,
    )
    province = Column(
        attribute="province_id",
        column_name="Mã tỉnh",
        widget=ProvinceWidget(),
        aliases=("Province code",),
    )
    province_name = Column(
        attribute="province__short_name",
        column_name="Tỉnh/Thành phố",
        widget=ProvinceWidget(as_name=True),
        aliases=("Tỉnh", "Tỉnh/TP", "Province"),
    )

    class Meta:
        model = QuarantineFacility
        fields = ("name", "address", "capacity", "province", "province_name")
        export_order = fields
        import_id_fields = ("province", "name")

    def __init__(self, *, province_id: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.province_id = province_id

    def before_import(self, dataset, **kwargs):
        """In the admin: a file without a province column is the importer's province."""
        header = self.fields["province"].column_name
        if self.province_id and header not in (dataset.headers or []):
            dataset.append_col([self.province_id] * len(dataset), header=header)

    def before_import_row(self, row, **kwargs):
        header = self.fields["province"].column_name
        code = self.fields["province"].widget.clean(row.get(header)) or self.province_id
        if self.province_id and code != self.province_id:
            raise CellError(other_province_message(code, self.province_id))
        row[header] = code

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if "__" not in (field.attribute or ""):  # a related path is an export-only column
            super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)
