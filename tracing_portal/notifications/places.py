"""Menu and home-page entries of the SMS pages (used by accounts/navigation.py); the labels
live here so that they are in this app's catalogue."""

from django.utils.translation import gettext_lazy as _

SEND_LABEL = _("Send SMS")
SEND_NEXT = _("Text the people who have not installed Bluezone, from the province's short code.")
LOG_LABEL = _("SMS log")
LOG_NEXT = _("Check which messages were delivered, and send again where one failed.")
FIGURES_LABEL = _("SMS figures")
FIGURES_NEXT = _("See how many messages went out and what share reached the phones.")
