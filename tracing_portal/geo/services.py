from django.db import transaction

from .models import District, Province
from .reference import district_rows, province_rows


@transaction.atomic
def reference_data_load() -> tuple[int, int]:
    """Load the provinces and districts if they are missing (the migration loads them; a
    flushed test database needs them again). Returns the numbers added."""
    existing = set(Province.objects.values_list("code", flat=True))
    provinces = [
        Province(
            code=r["gso_code"],
            name=r["name"],
            short_name=r["short_name"],
            iso_3166_2=r["iso_3166_2"],
            population_2019=int(r["population_2019"]),
            case_prefix=r["case_prefix"],
        )
        for r in province_rows()
        if r["gso_code"] not in existing
    ]
    Province.objects.bulk_create(provinces)
    known = set(District.objects.values_list("code", flat=True))
    districts = [
        District(
            code=r["districtCode"],
            province_id=r["provinceCode"],
            name=r["district"],
            short_name=r["districtShort"],
        )
        for r in district_rows()
        if r["districtCode"] not in known
    ]
    District.objects.bulk_create(districts)
    return len(provinces), len(districts)
