from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, using="default", **kwargs):
    from .roles import sync_role_permissions

    sync_role_permissions(using=using)


class AccountsConfig(AppConfig):
    name = "tracing_portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Runs after every app's permissions exist: post_migrate fires per app, in order.
        post_migrate.connect(_sync_roles, dispatch_uid="accounts.sync_roles")
