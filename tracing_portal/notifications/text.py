"""SMS text: Vietnamese diacritics, GSM-7 / UCS-2 length and segments, template placeholders.

Pure functions, no Django: static/js/sms-counter.js mirrors `strip_diacritics` and
`sms_count`, and both are tested against the same table.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GSM7 = "gsm7"
UCS2 = "ucs2"

# GSM 03.38 default alphabet (one septet each) and its extension table (escape + char: two).
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "\f^{}\\[~]|€"
_GSM7_BASIC = frozenset(GSM7_BASIC)
_GSM7_EXTENSION = frozenset(GSM7_EXTENSION)

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

# Typographic punctuation that office software puts in templates, and its GSM-7 spelling,
# so that a curly quote alone does not turn a message into UCS-2 (70 characters a part).
_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)


def strip_diacritics(text: str) -> str:
    """Vietnamese without its marks, case and punctuation kept:
    "Đề nghị ông Nguyễn Văn Ưng" -> "De nghi ong Nguyen Van Ung"."""
    text = text.replace("đ", "d").replace("Đ", "D").translate(_PUNCTUATION)
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", kept)


def is_gsm7(text: str) -> bool:
    return all(c in _GSM7_BASIC or c in _GSM7_EXTENSION for c in text)


def _gsm7_units(text: str) -> list[int]:
    return [2 if c in _GSM7_EXTENSION else 1 for c in text]


def _ucs2_units(text: str) -> list[int]:
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def _parts(units: list[int], part_size: int) -> int:
    """Parts of a split message; a two-unit character (escape pair, surrogate pair) is never
    cut across two parts, as handsets would show garbage."""
    parts, used = 1, 0
    for size in units:
        if used + size > part_size:
            parts += 1
            used = 0
        used += size
    return parts


@dataclass(frozen=True)
class SmsCount:
    encoding: str  # GSM7 or UCS2
    length: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    characters: int

    @property
    def limit(self) -> int:
        """What the length is measured against: one message, or all its parts."""
        single, part = (
            (GSM7_SINGLE, GSM7_PART) if self.encoding == GSM7 else (UCS2_SINGLE, UCS2_PART)
        )
        return single if self.segments <= 1 else part * self.segments


def sms_count(text: str) -> SmsCount:
    """How the network will carry `text`: GSM-7 when every character is in the GSM alphabet
    (160 alone, 153 a part), otherwise UCS-2 (70 alone, 67 a part)."""
    if is_gsm7(text):
        encoding, units, single, part = GSM7, _gsm7_units(text), GSM7_SINGLE, GSM7_PART
    else:
        encoding, units, single, part = UCS2, _ucs2_units(text), UCS2_SINGLE, UCS2_PART
    length = sum(units)
    if length == 0:
        segments = 0
    elif length <= single:
        segments = 1
    else:
        segments = _parts(units, part)
    return SmsCount(encoding=encoding, length=length, segments=segments, characters=len(text))


# --- template placeholders: {name}; "{{" and "}}" are literal braces ---

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class TemplateTextError(ValueError):
    """A template's text is not valid. `code` is "unknown" (with `names`) or "brace"."""

    def __init__(self, code: str, names: Iterable[str] = ()):
        self.code = code
        self.names = sorted(set(names))
        super().__init__(f"{code}: {', '.join(self.names)}")


class MissingValuesError(KeyError):
    def __init__(self, names: Iterable[str]):
        self.names = sorted(set(names))
        super().__init__(", ".join(self.names))


def template_placeholders(text: str, *, known: Iterable[str]) -> list[str]:
    """The placeholders a template uses, in order of first use. Raise TemplateTextError for
    an unknown name or a stray brace."""
    known = set(known)
    used: list[str] = []
    unknown: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            raise TemplateTextError("brace")
        name = name.strip()
        if name not in known:
            unknown.append(name or "{}")
        elif name not in used:
            used.append(name)
    if unknown:
        raise TemplateTextError("unknown", unknown)
    return used


def fill_template(text: str, values: Mapping[str, str], *, known: Iterable[str]) -> str:
    """Replace each {name} with values[name]; nothing else is evaluated (no attribute access,
    no format specs), so an admin's template cannot reach into the person's record."""
    names = template_placeholders(text, known=known)
    missing = [n for n in names if values.get(n) in (None, "")]
    if missing:
        raise MissingValuesError(missing)

    def replace(match: re.Match) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return str(values[match.group(1).strip()])

    return _TOKEN.sub(replace, text)
