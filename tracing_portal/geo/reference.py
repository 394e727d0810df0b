"""Reference data shipped with the project (see the README for credits)."""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
PROVINCES_CSV = DATA_DIR / "provinces_2019.csv"
PROVINCES_GEOJSON = DATA_DIR / "vn_provinces_admin1.geojson"


def province_rows() -> list[dict]:
    with PROVINCES_CSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def district_rows() -> list[dict]:
    """Districts of the 63 pre-2025 provinces, from vietnamadminunits' legacy table."""
    from vietnamadminunits.database import query

    return query(
        "SELECT DISTINCT provinceCode, districtCode, district, districtShort "
        "FROM admin_units_legacy WHERE districtCode IS NOT NULL ORDER BY districtCode"
    )
