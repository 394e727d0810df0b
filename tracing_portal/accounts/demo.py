from django.contrib.auth.models import Group

from .models import Agency, User
from .roles import Role

DEMO_PASSWORD = "bluezone-2020"  # noqa: S105 - printed for the demo on purpose

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
        users.append(user)
    stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
    for username, full_name, _agency, role, province_code in DEMO_USERS:
        stdout.write(f"  {username:<16} {Role(role).label} · {province_code or '-'} · {full_name}")
    return users
