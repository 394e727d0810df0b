import plotly
from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def plotly_src() -> str:
    """The address of plotly.js served from the installed package, versioned for caching."""
    return f"{reverse('plotly_js')}?v={plotly.__version__}"
