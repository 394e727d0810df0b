from tracing_portal.geo.models import District, Province


def test_sixty_three_provinces_are_loaded_with_the_census_total(db):
    assert Province.objects.count() == 63
    assert sum(Province.objects.values_list("population_2019", flat=True)) == 96_208_984


def test_hai_duong_is_gso_30_with_its_2019_population(db):
    hd = Province.objects.get(code="30")
    assert hd.short_name == "Hải Dương"
    assert hd.population_2019 == 1_892_254
    assert hd.iso_3166_2 == "VN-61"
    assert hd.case_prefix == "HD"


def test_case_prefixes_are_unique_and_readable(db):
    prefixes = list(Province.objects.values_list("case_prefix", flat=True))
    assert len(set(prefixes)) == 63
    assert all(p.isalpha() and p.isupper() for p in prefixes)


def test_every_province_has_its_districts(db):
    assert District.objects.count() == 696
    assert not Province.objects.filter(districts__isnull=True).exists()
    hd_districts = set(
        District.objects.filter(province_id="30").values_list("short_name", flat=True)
    )
    assert {"Hải Dương", "Chí Linh", "Kinh Môn", "Cẩm Giàng"} <= hd_districts
    assert len(hd_districts) == 12
