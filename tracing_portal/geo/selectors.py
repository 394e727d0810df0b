from .models import District, Province


def province_list():
    return Province.objects.order_by("code")


def district_list(*, province: Province | None):
    qs = District.objects.select_related("province").order_by("name")
    if province is not None:
        qs = qs.filter(province=province)
    return qs
