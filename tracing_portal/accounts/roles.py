"""Roles are groups; this module is the one place that says which permissions each holds.

A post_migrate hook (apps.py) makes every group hold exactly these permissions, so a
permission added by a later app is granted by adding it here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CDC = "cdc", _("CDC staff")
    POLICE = "police", _("Police liaison")
    DIC = "dic", _("DIC operator")
    OFFICIAL = "official", _("Health official")
    PROVINCE_ADMIN = "province_admin", _("Province administrator")
    NATIONAL_ADMIN = "national_admin", _("National administrator")


# Every role reads the reference data and the install dashboard (aggregate figures only).
_READ = ["geo.view_province", "geo.view_district", "stats.view_dashboard"]

# People: police and CDC enter and edit; CDC verifies the classification and re-levels;
# police verify identity and phone; DIC and officials read (officials see masked phones).
_CASES_READ = ["cases.view_case", "cases.view_quarantinefacility"]
_CASES_WRITE = [
    *_CASES_READ,
    "cases.add_case",
    "cases.change_case",
    "cases.merge_case",
    "cases.view_full_phone",
]

# Bluezone: DIC opens traces; CDC reviews the candidates; DIC, CDC and police check numbers.
_TRACES_READ = ["bluezone.view_tracerequest"]

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.CDC: {
        *_READ,
        *_CASES_WRITE,
        "cases.verify_classification",
        "cases.relevel_case",
        *_TRACES_READ,
        "bluezone.review_candidate",
        "bluezone.request_lookup",
    },
    Role.POLICE: {*_READ, *_CASES_WRITE, "cases.verify_identity", "bluezone.request_lookup"},
    Role.DIC: {
        *_READ,
        *_CASES_READ,
        "cases.view_full_phone",
        *_TRACES_READ,
        "bluezone.open_trace",
        "bluezone.request_lookup",
    },
    Role.OFFICIAL: {*_READ, *_CASES_READ, *_TRACES_READ},
    Role.PROVINCE_ADMIN: {
        *_READ,
        *_CASES_READ,
        *_TRACES_READ,
        "cases.view_full_phone",
        "cases.add_quarantinefacility",
        "cases.change_quarantinefacility",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.manage_province_users",
        "audit.view_auditevent",
    },
    Role.NATIONAL_ADMIN: {
        *_READ,
        *_CASES_READ,
        *_TRACES_READ,
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.manage_province_users",
        "accounts.view_all_provinces",
        "audit.view_auditevent",
    },
}


# --- notifications: DIC sends SMS; CDC and administrators read the message log; officials
# see the delivery figures only; administrators edit the message templates.
_SMS_FIGURES = "notifications.view_sms_figures"
_SMS_LOG = ["notifications.view_smsmessage", _SMS_FIGURES]
_SMS_TEMPLATES = [
    "notifications.view_smstemplate",
    "notifications.add_smstemplate",
    "notifications.change_smstemplate",
]
ROLE_PERMISSIONS[Role.DIC] |= {"notifications.send_sms", *_SMS_LOG}
ROLE_PERMISSIONS[Role.CDC] |= {*_SMS_LOG}
ROLE_PERMISSIONS[Role.OFFICIAL] |= {_SMS_FIGURES}
ROLE_PERMISSIONS[Role.PROVINCE_ADMIN] |= {*_SMS_LOG, *_SMS_TEMPLATES}
ROLE_PERMISSIONS[Role.NATIONAL_ADMIN] |= {*_SMS_LOG, *_SMS_TEMPLATES}
# --- end notifications


# --- exchange: CDC, police and province administrators import spreadsheets (into their own
# province). Exporting personal data in bulk is a permission of its own, held by the
# administrators who answer for it (CDC sends its daily figures through them, as the design
# has administrators export for the Ministry); full phone numbers in an export also need
# cases.view_full_phone, which national administrators do not hold.
ROLE_PERMISSIONS[Role.CDC] |= {"exchange.import_data"}
ROLE_PERMISSIONS[Role.POLICE] |= {"exchange.import_data"}
ROLE_PERMISSIONS[Role.PROVINCE_ADMIN] |= {"exchange.import_data", "exchange.export_data"}
ROLE_PERMISSIONS[Role.NATIONAL_ADMIN] |= {"exchange.export_data"}
# --- end exchange


# --- api: administrators issue and revoke API tokens in the admin (province administrators
# for their own province's users). Using the API needs no permission of its own: each
# endpoint asks for the same permission as its page.
_API_TOKENS = ["api.view_apitoken", "api.add_apitoken", "api.change_apitoken"]
ROLE_PERMISSIONS[Role.PROVINCE_ADMIN] |= {*_API_TOKENS}
ROLE_PERMISSIONS[Role.NATIONAL_ADMIN] |= {*_API_TOKENS}
# --- end api


# --- audit: administrators answer data-subject requests (everything held about a phone).
ROLE_PERMISSIONS[Role.PROVINCE_ADMIN] |= {"audit.report_personal_data"}
ROLE_PERMISSIONS[Role.NATIONAL_ADMIN] |= {"audit.report_personal_data"}
# --- end audit


def sync_role_permissions(*, using="default"):
    """Make each role's group hold exactly ROLE_PERMISSIONS[role]. Unknown permissions
    (an app not migrated yet) are skipped; the role matrix test proves none is missing."""
    from django.contrib.auth.models import Group, Permission

    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        perms = []
        for dotted in sorted(wanted):
            app_label, codename = dotted.split(".", 1)
            perm = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)
