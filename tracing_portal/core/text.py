import unicodedata


def fold(value: str) -> str:
    """Lower-case ASCII form of Vietnamese text, for matching names typed with or without
    diacritics ("Nguyễn Văn Đức" -> "nguyen van duc")."""
    value = value.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(stripped.lower().split())
