"""The dashboard's menu entry, for accounts.navigation (its text lives in this catalogue)."""

from django.utils.translation import gettext_lazy as _

DASHBOARD_LABEL = _("Dashboard")
DASHBOARD_NEXT = _(
    "See your province's Bluezone install rate, its rank among the 63 provinces, its trend, "
    "and how many installs would lift it a place."
)
