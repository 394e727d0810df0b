import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tracing_portal.accounts.roles import Role
from tracing_portal.notifications.models import SmsTemplate
from tracing_portal.notifications.selectors import sms_template_get


def test_four_default_templates_are_seeded_with_diacritics(db):
    defaults = {t.kind: t.body for t in SmsTemplate.objects.filter(province__isnull=True)}
    assert set(defaults) == {"verification_code", "exposure_notice", "install_request", "reminder"}
    assert defaults["verification_code"].startswith("[SYT {tinh}] Mã xác thực Bluezone")
    for body in defaults.values():
        SmsTemplate(kind="reminder", body=body).clean()  # every default is valid


@pytest.mark.parametrize(
    "body,error",
    [
        ("Chào {ten}, cài Bluezone.", "{ten}"),
        ("Chào {ho_ten, cài Bluezone.", "{{"),
        ("Chào {ho_ten.__class__}", "{ho_ten.__class__}"),
    ],
)
def test_a_template_with_a_bad_placeholder_is_refused(db, body, error):
    with pytest.raises(ValidationError) as exc:
        SmsTemplate(kind="reminder", body=body).full_clean()
    assert error in str(exc.value.message_dict["body"])


def test_a_verification_template_must_carry_the_code(db):
    with pytest.raises(ValidationError) as exc:
        SmsTemplate(kind="verification_code", body="Ma cua ban het han {het_han}.").full_clean()
    assert "{ma_xac_thuc}" in str(exc.value.message_dict["body"])


def test_an_inactive_province_template_falls_back_to_the_default(db):
    SmsTemplate.objects.create(kind="reminder", province_id="30", body="Nhac {ho_ten}.")
    assert sms_template_get(kind="reminder", province_id="30").province_id == "30"
    SmsTemplate.objects.filter(province_id="30").update(is_active=False)
    assert sms_template_get(kind="reminder", province_id="30").province_id is None


def admin_add(client, **data):
    return client.post(
        reverse("admin:notifications_smstemplate_add"),
        {"kind": "reminder", "province": "30", "is_active": "on", **data},
    )


def test_province_admin_adds_their_provinces_template(client, province_admin):
    client.force_login(province_admin)
    response = admin_add(client, body="[SYT {tinh}] Nhắc {ho_ten} đo thân nhiệt.")
    assert response.status_code == 302
    template = SmsTemplate.objects.get(province_id="30")
    assert template.updated_by == province_admin


def test_saving_an_unknown_placeholder_in_the_admin_shows_the_error(client, province_admin):
    client.force_login(province_admin)
    response = admin_add(client, body="Nhắc {ho_va_ten}.")
    assert response.status_code == 200
    assert "{ho_va_ten}" in response.content.decode()
    assert not SmsTemplate.objects.filter(province_id="30").exists()


def test_province_admin_cannot_change_the_national_default(client, province_admin):
    client.force_login(province_admin)
    default = SmsTemplate.objects.get(kind="reminder", province__isnull=True)
    url = reverse("admin:notifications_smstemplate_change", args=[default.pk])
    assert client.get(url).status_code == 200  # read-only view
    response = client.post(url, {"kind": "reminder", "body": "Khác.", "is_active": "on"})
    assert response.status_code == 403
    default.refresh_from_db()
    assert default.body != "Khác."


def test_province_admin_cannot_write_for_another_province(client, province_admin):
    client.force_login(province_admin)
    response = admin_add(client, province="01", body="Nhắc {ho_ten}.")
    assert response.status_code == 200
    assert not SmsTemplate.objects.filter(province_id="01").exists()


def test_province_admin_does_not_see_other_provinces_templates(client, province_admin):
    SmsTemplate.objects.create(kind="reminder", province_id="01", body="Ha Noi nhac {ho_ten}.")
    client.force_login(province_admin)
    body = client.get(reverse("admin:notifications_smstemplate_changelist")).content.decode()
    assert "Hà Nội" not in body


def test_national_admin_edits_the_default(client, make_user):
    client.force_login(make_user(Role.NATIONAL_ADMIN))
    default = SmsTemplate.objects.get(kind="reminder", province__isnull=True)
    url = reverse("admin:notifications_smstemplate_change", args=[default.pk])
    response = client.post(url, {"kind": "reminder", "body": "Nhắc {ho_ten}.", "is_active": "on"})
    assert response.status_code == 302
    default.refresh_from_db()
    assert default.body == "Nhắc {ho_ten}."


def test_dic_has_no_template_admin(client, dic_user):
    client.force_login(dic_user)
    response = client.get(reverse("admin:notifications_smstemplate_changelist"))
    assert response.status_code == 302  # not staff: sent to the admin login
