"""The benchmark's users, one per role, and signed-in sessions for them.

Sessions are created directly in the session store, as the login view would leave them, so
the benchmark does not depend on the login form (nor on a second factor for roles that
need one); it measures pages, not logins.
"""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.utils.module_loading import import_string

from tracing_portal.accounts.backends import PASSWORD_BACKEND
from tracing_portal.accounts.models import Agency, User
from tracing_portal.accounts.roles import Role

ROLES = {
    "cdc": (Role.CDC, Agency.CDC),
    "police": (Role.POLICE, Agency.POLICE),
    "dic": (Role.DIC, Agency.DIC),
    "official": (Role.OFFICIAL, Agency.HEALTH),
}


def bench_users(province) -> dict[str, User]:
    """bench.<role>.<province> users with the role's group (created once, kept)."""
    users = {}
    for key, (role, agency) in ROLES.items():
        user, created = User.objects.get_or_create(
            username=f"bench.{key}.{province.pk}",
            defaults={
                "full_name": f"Benchmark {key}",
                "agency": agency,
                "province": province,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
        users[key] = user
    return users


def session_cookie(user: User) -> tuple[str, str]:
    """A signed-in session for the user: (cookie name, session key)."""
    engine = import_string(settings.SESSION_ENGINE + ".SessionStore")
    session = engine()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = PASSWORD_BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return settings.SESSION_COOKIE_NAME, session.session_key
