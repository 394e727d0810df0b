import unicodedata

import pytest

from tracing_portal.notifications.text import (
    GSM7,
    UCS2,
    MissingValuesError,
    TemplateTextError,
    fill_template,
    sms_count,
    strip_diacritics,
    template_placeholders,
)

# (text, encoding, length in septets or UTF-16 units, segments)
SEGMENTS = [
    ("", GSM7, 0, 0),
    ("a", GSM7, 1, 1),
    ("a" * 160, GSM7, 160, 1),
    ("a" * 161, GSM7, 161, 2),
    ("a" * 306, GSM7, 306, 2),
    ("a" * 307, GSM7, 307, 3),
    # Extension characters take two septets each.
    ("€" * 80, GSM7, 160, 1),
    ("€" * 81, GSM7, 162, 2),
    ("[" + "a" * 158 + "]", GSM7, 162, 2),
    ("^{}\\[~]|€", GSM7, 18, 1),
    ("\f", GSM7, 2, 1),
    ("a" * 159 + "|", GSM7, 161, 2),
    # An escape pair is never cut across two parts: 306 septets, but three parts.
    ("a" * 152 + "€" + "a" * 151, GSM7, 305, 2),
    ("a" * 152 + "€" + "a" * 152, GSM7, 306, 3),
    # The GSM alphabet has a few accented letters: "chào" stays GSM-7.
    ("Xin chào", GSM7, 8, 1),
    ("Xin chào bạn", UCS2, 12, 1),
    ("ư" * 70, UCS2, 70, 1),
    ("ư" * 71, UCS2, 71, 2),
    ("ư" * 134, UCS2, 134, 2),
    ("ư" * 135, UCS2, 135, 3),
    # Characters outside the basic plane are two UTF-16 units; a pair is never split.
    ("😷" * 35, UCS2, 70, 1),
    ("😷" * 36, UCS2, 72, 2),
    ("a" * 66 + "😷" + "a" * 66, UCS2, 134, 3),
]


@pytest.mark.parametrize("text,encoding,length,segments", SEGMENTS)
def test_segment_count(text, encoding, length, segments):
    count = sms_count(text)
    assert (count.encoding, count.length, count.segments) == (encoding, length, segments)


def test_limit_follows_the_number_of_parts():
    assert sms_count("a" * 160).limit == 160
    assert sms_count("a" * 161).limit == 306
    assert sms_count("ư" * 71).limit == 134


DIACRITICS = [
    ("đ", "d"),
    ("Đ", "D"),
    ("ư", "u"),
    ("Ư", "U"),
    ("ơ", "o"),
    ("ă", "a"),
    ("â", "a"),
    ("ê", "e"),
    ("ô", "o"),
    ("ắ", "a"),
    ("Ấ", "A"),
    ("ỡ", "o"),
    ("ự", "u"),
    ("ỳ", "y"),
    ("Sở Y tế Hải Dương", "So Y te Hai Duong"),
    ("Đừng chia sẻ mã này!", "Dung chia se ma nay!"),
    (
        "[SYT Hải Dương] Mã xác thực Bluezone của bạn là 483920, hiệu lực đến 10:15 21/08.",
        "[SYT Hai Duong] Ma xac thuc Bluezone cua ban la 483920, hieu luc den 10:15 21/08.",
    ),
    ("Mở ứng dụng Bluezone > Khai báo > nhập mã.", "Mo ung dung Bluezone > Khai bao > nhap ma."),
    ("“Bluezone” – bảo vệ mình…", '"Bluezone" - bao ve minh...'),
    ("NGUYỄN VĂN ĐỨC", "NGUYEN VAN DUC"),
]


@pytest.mark.parametrize("text,expected", DIACRITICS)
def test_strip_diacritics(text, expected):
    assert strip_diacritics(text) == expected


def test_strip_diacritics_handles_decomposed_input():
    assert strip_diacritics(unicodedata.normalize("NFD", "Nguyễn Thị Ánh")) == "Nguyen Thi Anh"


def test_stripped_vietnamese_sentence_is_gsm7():
    text = strip_diacritics("Đề nghị ông/bà cài đặt ứng dụng Bluezone ngay hôm nay.")
    assert sms_count(text).encoding == GSM7


KNOWN = {"ho_ten", "ma"}


def test_placeholders_in_order_of_first_use():
    assert template_placeholders("{ma} {ho_ten} {ma}", known=KNOWN) == ["ma", "ho_ten"]


@pytest.mark.parametrize("text", ["Chào {ten}", "Chào {ho_ten.__class__}", "{}", "{ ho ten }"])
def test_unknown_placeholder_is_refused(text):
    with pytest.raises(TemplateTextError) as exc:
        template_placeholders(text, known=KNOWN)
    assert exc.value.code == "unknown"


@pytest.mark.parametrize("text", ["Chào {ho_ten", "Chào ho_ten}", "{ma}}x{"])
def test_stray_brace_is_refused(text):
    with pytest.raises(TemplateTextError) as exc:
        template_placeholders(text, known=KNOWN)
    assert exc.value.code == "brace"


def test_fill_replaces_placeholders_and_keeps_literal_braces():
    text = fill_template("{{{ma}}} {ho_ten}", {"ma": "HD-000001", "ho_ten": "An"}, known=KNOWN)
    assert text == "{HD-000001} An"


def test_fill_does_not_evaluate_values_as_templates():
    assert fill_template("{ho_ten}", {"ho_ten": "{ma}"}, known=KNOWN) == "{ma}"


def test_fill_reports_every_missing_value():
    with pytest.raises(MissingValuesError) as exc:
        fill_template("{ho_ten} {ma}", {"ho_ten": ""}, known=KNOWN)
    assert exc.value.names == ["ho_ten", "ma"]
