import gzip
from functools import cache
from pathlib import Path

import plotly
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import etag, require_GET

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


@cache
def _plotly_bundle() -> tuple[bytes, bytes]:
    """plotly.js from the installed plotly package (MapLibre included), plain and gzipped.
    Read once per process; nothing comes from a CDN."""
    raw = PLOTLY_JS.read_bytes()
    return raw, gzip.compress(raw, compresslevel=6, mtime=0)


@require_GET
@etag(lambda request: f"plotly-{plotly.__version__}")
@cache_control(public=True, max_age=365 * 86400, immutable=True)
def plotly_js(request):
    """Pages link it with `?v=<plotly version>` ({% plotly_src %}), so a year's caching is
    safe."""
    raw, compressed = _plotly_bundle()
    accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    response = HttpResponse(
        compressed if accepts_gzip else raw, content_type="text/javascript; charset=utf-8"
    )
    if accepts_gzip:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
