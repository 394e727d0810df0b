import ast
import gzip
import re
from functools import cache
from pathlib import Path

import plotly
from django.http import Http404, HttpResponse
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


_JS_STRING = r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\''
# MapLibre's stylesheet, which the bundle injects as a <style> unless an element with the
# stylesheet's id is already in the page.
_INJECTED_STYLE = re.compile(
    r'if\(!document\.getElementById\("(?P<id>[0-9a-f]{16,})"\)\)\{var (?P<v>\w+)='
    r'document\.createElement\("style"\);(?P=v)\.id="(?P=id)",(?P=v)\.textContent='
    rf"(?P<css>{_JS_STRING})"
)


def _plotly_global_rules(raw: str) -> str:
    """plotly.js's own rules (its addStyleRule("global", ...) calls)."""
    anchor = raw.index('"X,X div"')
    body = raw[raw.rindex("{", 0, anchor) + 1 : raw.index("};for(", anchor)]
    rules = []
    for key, value in re.findall(rf"({_JS_STRING})\s*:\s*({_JS_STRING})", body):
        selector = re.sub(r"^,", " ,", ast.literal_eval(key))
        selector = selector.replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        rules.append(f"{selector}{{{ast.literal_eval(value)}}}")
    return "\n".join(rules) + "\n"


@cache
def plotly_stylesheets() -> dict[str, tuple[str, bytes]]:
    """The stylesheets plotly.js would otherwise inject as inline <style> elements, which a
    Content-Security-Policy without 'unsafe-inline' styles refuses: {name: (element id,
    css)}. Read from the installed bundle, so they always match it. A page links each with
    the id the bundle looks for before injecting ("plotly.js-style-global" also needs the
    class "no-inline-styles")."""
    raw = PLOTLY_JS.read_text(encoding="utf-8")
    sheets = {"plotly": ("plotly.js-style-global", _plotly_global_rules(raw).encode())}
    for n, match in enumerate(_INJECTED_STYLE.finditer(raw)):
        sheets[f"injected-{n}"] = (match["id"], ast.literal_eval(match["css"]).encode())
    return sheets


@require_GET
@etag(lambda request, name: f"plotly-css-{name}-{plotly.__version__}")
@cache_control(public=True, max_age=365 * 86400, immutable=True)
def plotly_css(request, name):
    sheet = plotly_stylesheets().get(name)
    if sheet is None:
        raise Http404
    return HttpResponse(sheet[1], content_type="text/css; charset=utf-8")
