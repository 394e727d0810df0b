from functools import lru_cache
from pathlib import Path

import plotly
from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import etag, require_GET


@lru_cache(maxsize=1)
def _plotly_bundle() -> bytes:
    """plotly.js as shipped inside the installed plotly package: no CDN, works offline."""
    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()


@require_GET
@etag(lambda request: plotly.__version__)
@cache_control(max_age=86400 * 30, public=True)
def plotly_js(request):
    return HttpResponse(_plotly_bundle(), content_type="text/javascript; charset=utf-8")
