"""The API's own messages to people (its Vietnamese catalogue holds them). The domain apps'
`apis.py` modules import them from here, so their own catalogues stay theirs."""

from django.utils.translation import gettext_lazy as _

NO_SUCH_PERSON = _("No person with code %(code)s in your province.")
SOURCE_TOO_DEEP = _("%(code)s is F5, the deepest level tracked.")
NATIONAL_ID_DIGITS = _("A national ID has 9 or 12 digits.")
YEAR_OF_BIRTH_RANGE = _("Enter a year between 1900 and %(year)s.")
EXPOSURE_IN_FUTURE = _("The exposure date cannot be in the future.")
EXPOSURE_BEFORE_PANDEMIC = _("The exposure date is before the pandemic began.")
RELATION_NEEDED = _("Say how the person is related to the source.")
FACILITY_NEEDED = _("Choose the quarantine facility.")
DUPLICATES_FOUND = _(
    "This person may already be on file. Check the people listed; send confirm_duplicates "
    "set to true to create a new record anyway."
)
DATE_RANGE_REVERSED = _("The start date is after the end date.")
