"""Menu and home-page entries of the import and export pages (used by
accounts/navigation.py); the labels live here so that they are in this app's catalogue."""

from django.utils.translation import gettext_lazy as _

IMPORT_LABEL = _("Import")
IMPORT_NEXT = _(
    "Upload a police or CDC spreadsheet of people: check it as a dry run, then import it."
)
EXPORT_LABEL = _("Export")
EXPORT_NEXT = _(
    "Download people, the SMS log, install figures or the Ministry's daily report as Excel or CSV."
)
