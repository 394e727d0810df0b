import plotly
from django import template
from django.urls import reverse
from django.utils.html import format_html_join, json_script
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def plotly_src() -> str:
    """The address of plotly.js served from the installed package, versioned for caching."""
    return f"{reverse('plotly_js')}?v={plotly.__version__}"


@register.simple_tag
def plotly_stylesheets() -> str:
    """<link>s to the stylesheets plotly.js would inject inline (the CSP forbids inline
    styles); each carries the id by which plotly.js finds it and injects nothing."""
    from tracing_portal.core.views import plotly_stylesheets as sheets

    return format_html_join(
        "\n  ",
        '<link rel="stylesheet" id="{}"{} href="{}?v={}">',
        (
            (
                element_id,
                mark_safe(' class="no-inline-styles"') if name == "plotly" else "",
                reverse("plotly_css", kwargs={"name": name}),
                plotly.__version__,
            )
            for name, (element_id, _css) in sheets().items()
        ),
    )


PLOTLY_LOCALE_ID = "plotly-render-locale"


@register.simple_tag
def plotly_locale_script() -> str:
    """plotly.js's words for the active language (its mode bar, notices, month names) in a
    <script id="plotly-render-locale"> that static/js/plotly-render.js registers; nothing
    in English, plotly.js's own."""
    from tracing_portal.stats.charts import plotly_locale

    locale = plotly_locale()
    return json_script(locale, PLOTLY_LOCALE_ID) if locale else ""
