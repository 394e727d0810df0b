import datetime as dt

import pytest

from tracing_portal.cases.resources import CaseResource
from tracing_portal.exchange import cells
from tracing_portal.exchange.cells import CellError
from tracing_portal.exchange.columns import ColumnSet, column_letter
from tracing_portal.exchange.widgets import NationalIdWidget, PhoneWidget, phone_national


@pytest.mark.parametrize(
    "value,expected",
    [
        (dt.datetime(2020, 8, 13, 9, 30), dt.date(2020, 8, 13)),
        (dt.date(2020, 8, 13), dt.date(2020, 8, 13)),
        (44056.0, dt.date(2020, 8, 13)),
        (44056, dt.date(2020, 8, 13)),
        ("13/08/2020", dt.date(2020, 8, 13)),
        ("13/8/20", dt.date(2020, 8, 13)),
        ("01/02/2021", dt.date(2021, 2, 1)),  # never month first
        ("2020-08-13", dt.date(2020, 8, 13)),
        ("", None),
    ],
)
def test_dates_are_day_first(value, expected):
    assert cells.date_day_first(value) == expected


@pytest.mark.parametrize("value", ["08/13/2020", "13/13/2020", "30/02/2021", "Aug 13", 1.5e9])
def test_impossible_dates_are_refused(value):
    with pytest.raises(CellError):
        cells.date_day_first(value)


@pytest.mark.parametrize(
    "value,expected",
    [(2011.0, 2011), ("2011", 2011), ("1.234.567", 1234567), ("1,234,567", 1234567),
     ("1 234 567", 1234567), ("2011.0", 2011), ("", None)],
)  # fmt: skip
def test_whole_numbers_as_people_type_them(value, expected):
    assert cells.whole_number(value) == expected


def test_calamine_whole_floats_read_as_text_without_a_decimal():
    assert cells.text(2011.0) == "2011" and cells.text(912345678.0) == "912345678"
    assert cells.text("  Nguyễn   Văn\tAn ") == "Nguyễn Văn An"
    assert cells.text("'=SUM(A1)") == "=SUM(A1)"  # our own apostrophe comes off again


def test_headers_match_without_case_diacritics_or_spacing():
    columns = ColumnSet.of(CaseResource())
    match = columns.match(
        ["HỌ VÀ  TÊN", "sdt", "Tinh / Thanh pho", "NGUON LAY", "Cap do", "ghi chu"],
        header_row=1,
    )
    assert set(match.fields) == {
        "full_name",
        "phone",
        "province_name",
        "source",
        "level",
        "notes",
    }


def test_national_id_number_cell_gets_its_leading_zero_back():
    widget = NationalIdWidget()
    assert widget.clean(30085001234.0) == "030085001234"
    assert widget.clean("030085001234") == "030085001234"
    with pytest.raises(CellError):
        widget.clean("30085001234")  # typed as text with a digit missing: not guessed


def test_phone_widget_uses_the_portal_parser_and_never_writes_a_plus():
    widget = PhoneWidget()
    assert widget.clean_with_note(912345678.0) == ("+84912345678", None)
    value, note = widget.clean_with_note("0168 123 4567")
    assert value == "+84381234567" and "01681234567" in note
    assert widget.render("+84912345678") == "091****678"
    widget.full = True
    assert widget.render("+84912345678") == "0912 345 678"
    assert phone_national("+84381234567") == "0381 234 567"


def test_neutralise_only_formula_like_text():
    assert cells.neutralise("=1+1") == "'=1+1"
    assert cells.neutralise("Nguyễn") == "Nguyễn"
    assert cells.neutralise("0912 345 678") == "0912 345 678"


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701)] == ["A", "Z", "AA", "AB", "ZZ"]
