"""The dashboard's menu entry, for accounts.navigation (its text lives in this catalogue)."""

from django.utils.translation import gettext_lazy as _

DASHBOARD_LABEL = _("Dashboard")
DASHBOARD_NEXT = _(
    "See your province's Bluezone install rate, its rank among the 63 provinces and its "
    "trend, and the tracing figures: people by level, the verification backlog, traces "
    "and SMS."
)
