"""The import benchmark: a realistic police/CDC sheet of N people, the fast import, and the
same rows through a plain django-import-export ModelResource for comparison.

Used by `manage.py bench_import` and, with 2,000 rows, by the test suite.
"""

import datetime as dt
import os
import random
import threading
import time
from dataclasses import dataclass

from import_export import fields, resources, widgets

from tracing_portal.cases.models import Case
from tracing_portal.cases.resources import CaseResource
from tracing_portal.cases.services import _next_code
from tracing_portal.core.text import fold

FAMILY = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Phan Trịnh Đinh Mai Tạ"
).split()
MIDDLE_M = "Văn Đức Minh Quang Hữu Công Thành Xuân Mạnh Tiến".split()
MIDDLE_F = "Thị Thu Ngọc Thanh Hồng Phương Kim Diệu Minh Bích".split()
GIVEN_M = (
    "Hùng Dũng Nam Long Tuấn Hải Sơn Thắng Cường Phong "
    "Quân Huy Khánh Đạt Trung Hiếu Vinh Bình An Toàn"
).split()
GIVEN_F = (
    "Lan Hương Mai Hạnh Thảo Trang Linh Hoa Nga Yến "
    "Hằng Huyền Loan Nhung Oanh Phượng Quyên Tâm Vân Xuân"
).split()
PREFIXES = "91 94 98 97 96 86 32 33 35 36 37 38 39 83 84 85 81 82 70 76 77 78 79 56 58".split()
RETIRED = ["162", "163", "164", "165", "166", "167", "168", "169", "120", "121", "122", "126"]
STREETS = ["Trần Hưng Đạo", "Nguyễn Lương Bằng", "Thanh Niên", "Lê Thanh Nghị", "Ngô Quyền",
           "Điện Biên Phủ", "Hồng Quang", "Bạch Đằng", "Quang Trung", "Chi Lăng"]  # fmt: skip
RELATIONS = ["Hộ gia đình", "Gia đình", "Đồng nghiệp", "Nơi làm việc", "Hàng xóm", "Họ hàng",
             "Đi cùng chuyến xe", "Bệnh viện", "Khác"]  # fmt: skip
HEADERS = ["STT", "Mã", "Họ và tên", "Năm sinh", "Giới tính", "CMND/CCCD", "SĐT", "Nơi ở",
           "Quận/Huyện", "Mã tỉnh", "Nguồn lây", "Mối quan hệ", "Ngày tiếp xúc", "Cấp độ",
           "Đã cài Bluezone", "Ghi chú"]  # fmt: skip
LEVEL_SHARES = [(0, 0.08), (1, 0.47), (2, 0.35), (3, 0.10)]


@dataclass
class Generated:
    path: str
    rows: int
    levels: dict[int, int]


def _phone(rng: random.Random, serial: int, form: int):
    """A unique mobile number written the many ways people write them."""
    prefix = PREFIXES[serial % len(PREFIXES)]
    rest = f"{(serial * 7_919 + 1_234_567) % 10_000_000:07d}"
    if form == 0:
        return f"0{prefix} {rest[:3]} {rest[3:]}"
    if form == 1:
        return f"+84{prefix}{rest}"
    if form == 2:
        return int(prefix + rest)  # a number cell: the leading 0 is lost
    if form == 3:
        return f"0{prefix}.{rest[:3]}.{rest[3:]}"
    if form == 4:
        # A retired 11-digit number; the portal converts it (unique among these).
        old = RETIRED[serial % len(RETIRED)]
        return f"0{old}{(serial * 7_919 + 7_654_321) % 10_000_000:07d}"
    return f"0{prefix}{rest}"


def _district_names(province_code: str) -> list[str]:
    """Up to 12 district names of the province, written the ways sheets write them (with or
    without "Huyện", "Thành phố"...)."""
    from tracing_portal.geo.models import District

    names = []
    for i, (name, short_name) in enumerate(
        District.objects.filter(province_id=province_code)
        .order_by("code")
        .values_list("name", "short_name")[:12]
    ):
        names.append(name if i % 3 == 0 else short_name)
    return names


def generate_people_xlsx(
    path: str, *, rows: int, seed: int = 2020, title: bool = True, province_code: str = "30"
):
    """An xlsx file of `rows` people of a province in chains F0 -> F1 -> F2 -> F3, as a
    tracing cell writes them: a title row, Ministry patient numbers for F0s (BN1234), local
    codes for contacts, phones in every format, dates as date cells or dd/mm/yyyy text.
    About one row in twenty comes before its source."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    districts = _district_names(province_code) or [""]
    code_cell = int(province_code)
    levels = []
    for level, share in LEVEL_SHARES:
        levels += [level] * round(rows * share)
    levels = (levels + [1] * rows)[:rows]
    levels.sort()
    codes_by_level: dict[int, list[str]] = {0: [], 1: [], 2: [], 3: []}
    people = []
    used_phoneless: set[tuple[str, int]] = set()
    start = dt.date(2020, 7, 20)
    for i, level in enumerate(levels):
        code = f"BN{1000 + i}" if level == 0 else f"TX{i:06d}"
        source = "" if level == 0 else rng.choice(codes_by_level[level - 1])
        codes_by_level[level].append(code)
        female = rng.random() < 0.5
        middle, given = (MIDDLE_F, GIVEN_F) if female else (MIDDLE_M, GIVEN_M)
        name = f"{rng.choice(FAMILY)} {rng.choice(middle)} {rng.choice(given)}"
        year = rng.randint(1940, 2018)
        phone = _phone(rng, i, rng.choices(range(6), weights=[40, 10, 10, 5, 5, 30])[0])
        if rng.random() < 0.02:
            phone = ""
            while (name, year) in used_phoneless:
                year = rng.randint(1940, 2018)
            used_phoneless.add((name, year))
        exposure = start + dt.timedelta(days=rng.randint(0, 20))
        people.append(
            [
                None,
                code,
                name,
                year if rng.random() < 0.8 else str(year),
                "Nữ" if female else "Nam",
                _national_id(rng, i),
                phone,
                f"Số {rng.randint(1, 300)} {rng.choice(STREETS)}",
                rng.choice(districts),
                code_cell if rng.random() < 0.5 else province_code,
                source,
                "" if level == 0 else rng.choice(RELATIONS),
                "" if level == 0 else (exposure if rng.random() < 0.7 else f"{exposure:%d/%m/%Y}"),
                f"F{level}" if level == 0 or rng.random() < 0.3 else "",
                rng.choice(["Có", "Không", "", "x", "Chưa cài"]),
                "" if rng.random() < 0.9 else "Đã lấy mẫu xét nghiệm",
            ]
        )
    # Some contacts are written before their source: the import resolves them in the file.
    for i in range(len(people) - 1, 0, -20):
        j = rng.randint(0, i)
        if people[i][13] == "" and people[j][13] == "":
            people[i], people[j] = people[j], people[i]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    if title:
        sheet.append(["DANH SÁCH CÁC TRƯỜNG HỢP F0, F1, F2, F3"])
    sheet.append(HEADERS)
    for number, row in enumerate(people, start=1):
        row[0] = number
        sheet.append(row)
    workbook.save(path)
    counts: dict[int, int] = {}
    for level in levels:
        counts[level] = counts.get(level, 0) + 1
    return Generated(path=path, rows=rows, levels=counts)


def _national_id(rng: random.Random, serial: int):
    digits = f"0300{(serial * 104_729) % 100_000_000:08d}"  # a CCCD of Hải Dương (030...)
    r = rng.random()
    if r < 0.5:
        return digits
    if r < 0.7:
        return int(digits)  # a number cell: the leading 0 is lost, and put back on import
    return ""


class PeakMemory:
    """The peak resident memory of the process while the block runs (sampled from
    /proc every 10 ms; ru_maxrss elsewhere)."""

    def __init__(self):
        self.peak = 0
        self.start = 0
        self._stop = threading.Event()

    @staticmethod
    def rss() -> int:
        try:
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            import resource

            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def _watch(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.rss())

    def __enter__(self):
        self.start = self.peak = self.rss()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())


def _server_cpu_seconds(pid: int | None) -> float | None:
    """CPU time used so far by the database server process serving this connection (read
    from /proc when the server runs on this machine), or None."""
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


class Stopwatch:
    """Wall time, the CPU time of this process and, on a local PostgreSQL, the CPU time of
    the server process of this connection. On a machine with nothing else running, an
    import takes at most the two CPU times added up; under load, wall time is longer."""

    def __init__(self, server: int | None = None):
        self.server = server
        self.server_cpu_seconds = None

    def __enter__(self):
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()
        self.server_started = _server_cpu_seconds(self.server)
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        self.cpu_seconds = time.process_time() - self.cpu_started
        server_now = _server_cpu_seconds(self.server)
        if server_now is not None and self.server_started is not None:
            self.server_cpu_seconds = server_now - self.server_started


def plain_resource_class(*, actor, province):
    """A plain ModelResource over the same headers (taken from CaseResource): default
    widgets, one save per row in its own savepoint, the code taken from the counter per row
    as the person form does. Sources are left out: a plain resource cannot resolve a code
    that is only in the file."""
    headers = {name: col.column_name for name, col in CaseResource().fields.items()}

    class PlainCaseResource(resources.ModelResource):
        full_name = fields.Field(
            attribute="full_name", column_name=headers["full_name"], widget=widgets.CharWidget()
        )
        year_of_birth = fields.Field(
            attribute="year_of_birth",
            column_name=headers["year_of_birth"],
            widget=widgets.IntegerWidget(),
        )
        phone = fields.Field(attribute="phone", column_name="SĐT", widget=widgets.CharWidget())
        address = fields.Field(
            attribute="address", column_name=headers["address"], widget=widgets.CharWidget()
        )
        exposure_date = fields.Field(
            attribute="exposure_date",
            column_name=headers["exposure_date"],
            widget=widgets.DateWidget(),
        )
        notes = fields.Field(
            attribute="notes", column_name=headers["notes"], widget=widgets.CharWidget()
        )

        class Meta:
            model = Case
            fields = ("full_name", "year_of_birth", "phone", "address", "exposure_date", "notes")
            import_id_fields = ()
            use_transactions = True

        def before_import_row(self, row, **kwargs):
            phone = row.get("SĐT")
            row["SĐT"] = "" if phone in (None, "") else str(phone)[:16]

        def before_save_instance(self, instance, row, **kwargs):
            level = str(row.get(headers["level"]) or "").upper().lstrip("F")
            instance.level = int(level) if level.isdigit() else 1
            instance.f0_status = "suspected" if instance.level == 0 else ""
            instance.province = province
            instance.entered_by = actor
            instance.entering_agency = actor.agency
            instance.name_folded = fold(instance.full_name or "")
            instance.code = _next_code(province)

    return PlainCaseResource
