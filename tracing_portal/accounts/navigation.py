"""What each role sees in the menu and on its home page.

One entry per place in the portal: its URL name, label, the permission that opens it,
and, for the home page, what the role does there next.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from tracing_portal.bluezone import places as tracing  # tracing menu labels
from tracing_portal.exchange import places as exchange  # import/export menu labels
from tracing_portal.notifications import places as sms  # SMS menu labels
from tracing_portal.stats import places as stats  # dashboard menu labels


@dataclass(frozen=True)
class Place:
    url_name: str
    label: str
    permission: str | None
    next_step: str = ""


PLACES: list[Place] = [
    Place("home", _("Home"), None),
    Place(
        "cases:list",
        _("People"),
        "cases.view_case",
        _("Find people in the investigation, their chains and their verification."),
    ),
    Place(
        "cases:create",
        _("Enter a person"),
        "cases.add_case",
        _("Enter an F0, or a contact under a source case, with phone and residence."),
    ),
    Place("bluezone:queue", tracing.QUEUE_LABEL, "bluezone.view_tracerequest", tracing.QUEUE_NEXT),
    Place("stats:dashboard", stats.DASHBOARD_LABEL, "stats.view_dashboard", stats.DASHBOARD_NEXT),
    # --- notifications
    Place("notifications:bulk", sms.SEND_LABEL, "notifications.send_sms", sms.SEND_NEXT),
    Place("notifications:log", sms.LOG_LABEL, "notifications.view_smsmessage", sms.LOG_NEXT),
    Place(
        "notifications:figures",
        sms.FIGURES_LABEL,
        "notifications.view_sms_figures",
        sms.FIGURES_NEXT,
    ),
    # --- end notifications
    # --- exchange
    Place("exchange:import", exchange.IMPORT_LABEL, "exchange.import_data", exchange.IMPORT_NEXT),
    Place("exchange:export", exchange.EXPORT_LABEL, "exchange.export_data", exchange.EXPORT_NEXT),
    # --- end exchange
    Place(
        "accounts:users",
        _("Users"),
        "accounts.manage_province_users",
        _("Invite your province's staff, unlock their accounts and reset lost authenticators."),
    ),
    Place(
        "audit:list",
        _("Audit log"),
        "audit.view_auditevent",
        _("Review who viewed or exported personal data."),
    ),
    Place(
        "audit:data_report",
        _("Personal data report"),
        "audit.report_personal_data",
        _("Answer a person's request: everything held about their phone number."),
    ),
]


def places_for(user) -> list[dict]:
    out = []
    for place in PLACES:
        if place.permission and not user.has_perm(place.permission):
            continue
        try:
            url = reverse(place.url_name)
        except NoReverseMatch:
            continue
        out.append(
            {"url_name": place.url_name, "url": url, "label": place.label, "next": place.next_step}
        )
    return out
