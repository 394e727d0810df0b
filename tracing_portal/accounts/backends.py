from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

# The path sessions record for a user signed in with a password (settings, the invitation
# page and the benchmark's sessions all name it from here).
PASSWORD_BACKEND = "tracing_portal.accounts.backends.PortalModelBackend"


class PortalModelBackend(ModelBackend):
    """Django's ModelBackend, reading a user's permissions (their own and their roles') in
    one query instead of two. Every page and API call checks permissions, so this is one
    query less per request. The set is kept on the user object for the request, as
    ModelBackend keeps it; nothing is cached across requests, so a role change applies at
    the user's next request."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = self._read_all_permissions(user_obj)
        return user_obj._perm_cache

    @staticmethod
    def _read_all_permissions(user_obj) -> set[str]:
        fields = ("content_type__app_label", "codename")
        if user_obj.is_superuser:
            rows = Permission.objects.values_list(*fields)
        else:
            own = Permission.objects.filter(user=user_obj).order_by().values_list(*fields)
            roles = Permission.objects.filter(group__user=user_obj).order_by()
            rows = own.union(roles.values_list(*fields))
        return {f"{app_label}.{codename}" for app_label, codename in rows}
