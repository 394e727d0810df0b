from base64 import b32decode

from django.conf import settings
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Agency, User
from .roles import Role

DEMO_PASSWORD = "bluezone-2020"  # noqa: S105 - printed for the demo on purpose
# The demo's authenticator secret, shared by every demo user who must sign in with a code
# (DIC and administrators). Public on purpose: a newcomer adds it to any authenticator app,
# or runs `manage.py demo_otp_code`. Never use it for a real account.
DEMO_TOTP_SECRET = "BLUEZONEHAIDUONGDEMOTRACINGPORTL"
DEMO_TOTP_DEVICE = "Demo authenticator"

# (username, full name, agency, role, province GSO code or None for national)
DEMO_USERS = [
    ("hd.cdc", "Nguyễn Thị Hạnh", Agency.CDC, Role.CDC, "30"),
    ("hd.police", "Trần Văn Dũng", Agency.POLICE, Role.POLICE, "30"),
    ("hd.dic", "Phạm Minh Tuấn", Agency.DIC, Role.DIC, "30"),
    ("hd.official", "Vũ Thị Lan", Agency.HEALTH, Role.OFFICIAL, "30"),
    ("hd.admin", "Đỗ Quang Huy", Agency.HEALTH, Role.PROVINCE_ADMIN, "30"),
    ("hn.cdc", "Lê Thu Trang", Agency.CDC, Role.CDC, "01"),
    ("hn.police", "Hoàng Văn Nam", Agency.POLICE, Role.POLICE, "01"),
    ("hn.dic", "Bùi Thị Mai", Agency.DIC, Role.DIC, "01"),
    ("hn.official", "Đặng Quốc Bảo", Agency.HEALTH, Role.OFFICIAL, "01"),
    ("hn.admin", "Ngô Thị Thảo", Agency.HEALTH, Role.PROVINCE_ADMIN, "01"),
    ("national.admin", "Trịnh Văn Sơn", Agency.HEALTH, Role.NATIONAL_ADMIN, None),
]


def seed(*, stdout) -> list[User]:
    users = []
    for username, full_name, agency, role, province_code in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "agency": agency,
                "province_id": province_code,
                "is_staff": role in (Role.PROVINCE_ADMIN, Role.NATIONAL_ADMIN),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
        if role in settings.OTP_REQUIRED_ROLES:
            demo_totp_enroll(user)
        users.append(user)
    stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
    for username, full_name, _agency, role, province_code in DEMO_USERS:
        code = " · code" if role in settings.OTP_REQUIRED_ROLES else ""
        stdout.write(
            f"  {username:<16} {Role(role).label} · {province_code or '-'} · {full_name}{code}"
        )
    stdout.write(
        "Users marked 'code' sign in with a second step: add this key to an authenticator "
        f"app ({DEMO_TOTP_SECRET}), or run `manage.py demo_otp_code` for the current code."
    )
    stdout.write(f"  otpauth URI: {demo_otpauth_uri()}")
    return users


def demo_totp_key_hex() -> str:
    return b32decode(DEMO_TOTP_SECRET).hex()


def demo_totp_enroll(user: User) -> TOTPDevice:
    """A confirmed authenticator with the demo secret (idempotent)."""
    device, _created = TOTPDevice.objects.update_or_create(
        user=user,
        name=DEMO_TOTP_DEVICE,
        defaults={"key": demo_totp_key_hex(), "confirmed": True},
    )
    return device


def demo_otpauth_uri() -> str:
    device = TOTPDevice(key=demo_totp_key_hex(), name=DEMO_TOTP_DEVICE)
    device.user = User(username="demo")
    return device.config_url
