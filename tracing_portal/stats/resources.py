"""Spreadsheet columns of Bluezone install figures (django-import-export).

The headers are those of the Ministry's daily figures, with the aliases of
`stats/importing.py`; the exchange app's import and export read them from here.
"""

from import_export import resources

from tracing_portal.exchange.columns import Column
from tracing_portal.exchange.widgets import CountWidget, DayFirstDateWidget, ProvinceWidget

from .models import InstallSnapshot


class InstallSnapshotResource(resources.ModelResource):
    """One province on one day; (province, date) identifies a row, so a re-import updates."""

    province = Column(
        attribute="province_id",
        column_name="Mã tỉnh",
        widget=ProvinceWidget(),
        aliases=("Mã tỉnh/TP", "Mã tỉnh/thành phố", "Province code", "GSO code"),
    )
    province_name = Column(
        attribute="province__short_name",
        column_name="Tỉnh/Thành phố",
        widget=ProvinceWidget(as_name=True),
        aliases=("Tỉnh", "Tỉnh/TP", "Tên tỉnh", "Tỉnh thành", "Province"),
    )
    date = Column(
        attribute="date",
        column_name="Ngày",
        widget=DayFirstDateWidget(required=True),
        aliases=("Ngày báo cáo", "Ngày tháng", "Date"),
        required=True,
    )
    installs = Column(
        attribute="installs",
        column_name="Số lượt cài Bluezone",
        widget=CountWidget(required=True),
        aliases=("Số lượt cài", "Lượt cài", "Số cài đặt", "Installs"),
        required=True,
    )
    installs_with_phone = Column(
        attribute="installs_with_phone",
        column_name="Số lượt cài có SĐT",
        widget=CountWidget(required=True),
        aliases=(
            "Số lượt cài có số điện thoại",
            "Số người dùng có số điện thoại",
            "Installs with phone",
        ),
        required=True,
    )
    smartphone_users = Column(
        attribute="smartphone_users",
        column_name="Số người dùng điện thoại thông minh",
        widget=CountWidget(),
        aliases=("Số người dùng smartphone", "Số thuê bao smartphone", "Smartphone users"),
    )

    class Meta:
        model = InstallSnapshot
        fields = (
            "province", "province_name", "date", "installs", "installs_with_phone",
            "smartphone_users",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("province", "date")
