from datetime import datetime

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracing_portal.cases.phones import mask

from ..selectors import case_lookups, case_traces

register = template.Library()

BAR_COLOURS = {"near": "#a40e26", "medium": "#c2570c", "far": "#8c959f"}
BUCKET_NAMES = {
    "near": gettext_lazy("near"),
    "medium": gettext_lazy("medium"),
    "far": gettext_lazy("far"),
}


@register.filter
def bucket_name(label: str) -> str:
    """The RSSI bucket's name in the user's language (custom buckets keep their label)."""
    return str(BUCKET_NAMES.get(label, label))


@register.filter
def masked_phone(e164: str) -> str:
    return mask(e164)


@register.simple_tag
def exposure_svg(contact, width=180, height=26):
    """Each contact window as a bar on the contact's time line, coloured by its nearest
    bucket; the title gives the minutes, for screen readers too."""
    start, end = contact.first_seen, contact.last_seen
    span = max((end - start).total_seconds(), 1)
    bars = []
    for window in contact.windows[:200]:
        w_start = datetime.fromisoformat(window["start"])
        w_end = datetime.fromisoformat(window["end"])
        x = (w_start - start).total_seconds() / span * (width - 2)
        w = max(2.0, (w_end - w_start).total_seconds() / span * (width - 2))
        by_bucket = window.get("by_bucket") or {}
        label = max(by_bucket, key=by_bucket.get) if by_bucket else "far"
        bars.append((f"{x:.1f}", f"{w:.1f}", BAR_COLOURS.get(label, "#0b5394")))
    title = _("%(windows)s windows, %(minutes)s weighted minutes") % {
        "windows": len(contact.windows),
        "minutes": contact.weighted_minutes,
    }
    return format_html(
        '<svg class="exposure" width="{}" height="{}" role="img" aria-label="{}">'
        "<title>{}</title>"
        '<line x1="0" y1="{}" x2="{}" y2="{}" stroke="#c9d1d9"/>{}</svg>',
        width,
        height,
        title,
        title,
        height - 3,
        width,
        height - 3,
        format_html_join(
            "",
            '<rect x="{}" y="4" width="{}" height="{}" fill="{}"/>',
            ((x, w, height - 9, colour) for x, w, colour in bars),
        ),
    )


@register.inclusion_tag("bluezone/_case_tracing.html", takes_context=True)
def case_tracing(context, case):
    """The Bluezone part of a person's page: lookups, trace requests and the actions."""
    user = context["request"].user
    return {
        "case": case,
        "lookups": case_lookups(case),
        "traces": case_traces(case),
        "perms": context.get("perms"),
        "csrf_token": context.get("csrf_token"),
        "can_lookup": user.has_perm("bluezone.request_lookup"),
        "can_open": user.has_perm("bluezone.open_trace"),
        "can_sms": user.has_perm("notifications.send_sms"),
    }
