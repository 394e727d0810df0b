from django.urls import reverse

from tracing_portal.geo.models import Province


def test_admin_lists_the_provinces_and_opens_hai_duong(client, national_admin):
    national_admin.is_staff = True
    national_admin.save(update_fields=["is_staff"])
    client.force_login(national_admin)
    listing = client.get(reverse("admin:geo_province_changelist"), {"q": "Hải Dương"})
    assert listing.status_code == 200
    assert "VN-61" in listing.content.decode()
    page = client.get(reverse("admin:geo_province_change", args=["30"]))
    assert page.status_code == 200
    assert "1892254" in page.content.decode()


def test_reference_provinces_cannot_be_deleted_in_the_admin(client, national_admin):
    national_admin.is_staff = True
    national_admin.save(update_fields=["is_staff"])
    client.force_login(national_admin)
    response = client.post(reverse("admin:geo_province_delete", args=["30"]), {"post": "yes"})
    assert response.status_code == 403
    assert Province.objects.filter(pk="30").exists()
