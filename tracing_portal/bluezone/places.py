"""The tracing menu entry, for accounts.navigation (its text lives in this catalogue)."""

from django.utils.translation import gettext_lazy as _

QUEUE_LABEL = _("Tracing")
QUEUE_NEXT = _(
    "Open Bluezone traces for verified F0s, give them their code, and review the contacts found."
)
