from rest_framework.permissions import BasePermission


class HasRequiredPermissions(BasePermission):
    """The same Django permissions as the pages: a view lists the ones it needs in
    `required_permissions` (all of them) or `required_any_permissions` (one of them)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        needed_all = getattr(view, "required_permissions", ())
        needed_any = getattr(view, "required_any_permissions", ())
        if needed_all and not user.has_perms(needed_all):
            return False
        return not needed_any or any(user.has_perm(p) for p in needed_any)
