from functools import cache
from pathlib import Path

import drf_spectacular_sidecar
from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView


class MeApi(APIView):
    """Who the credentials belong to: role, province and permissions."""

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        full_name = serializers.CharField()
        agency = serializers.CharField()
        role = serializers.CharField(allow_null=True)
        province = serializers.CharField(allow_null=True, help_text="GSO code; null: national.")
        permissions = serializers.ListField(child=serializers.CharField())
        token = serializers.CharField(
            allow_null=True, help_text="The id of the token used; null for a browser session."
        )

    @extend_schema(tags=["account"], responses={200: OutputSerializer})
    def get(self, request):
        user = request.user
        data = {
            "username": user.username,
            "full_name": user.full_name,
            "agency": user.agency,
            "role": user.primary_role,
            "province": user.province_id,
            "permissions": sorted(user.get_all_permissions()),
            "token": getattr(request.auth, "display_id", None),
        }
        return Response(self.OutputSerializer(data).data)


@extend_schema(exclude=True)
class NotFoundApi(APIView):
    """Any other path under /api/v1/: a 404 in the API's error shape, not an HTML page."""

    def _not_found(self, request, *args, **kwargs):
        raise NotFound()

    get = post = put = patch = delete = _not_found


try:  # django-csp: ReDoc styles itself with <style> elements it creates at run time.
    from csp.constants import UNSAFE_INLINE
    from csp.decorators import csp_update

    _redoc_csp = method_decorator(csp_update({"style-src": [UNSAFE_INLINE]}), name="get")
except ImportError:  # pragma: no cover - without django-csp there is no policy to relax

    def _redoc_csp(cls):
        return cls


class JsonErrorsMixin:
    """The schema and documentation pages answer errors (401...) in JSON, like the rest of
    the API, whatever format they serve on success."""

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class SwaggerApi(JsonErrorsMixin, SpectacularSwaggerSplitView):
    """Swagger UI from the drf-spectacular-sidecar package; its script is a separate file,
    so the page needs no inline script."""

    template_name = "api/swagger_ui.html"


@_redoc_csp
class RedocApi(JsonErrorsMixin, SpectacularRedocView):
    """ReDoc from the drf-spectacular-sidecar package, without web fonts."""

    template_name = "api/redoc.html"


class SchemaApi(JsonErrorsMixin, SpectacularAPIView):
    """The OpenAPI 3 schema (YAML; `?format=json` for JSON), in English unless `?lang=vi`."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        lang = request.GET.get("lang")
        if lang not in dict(settings.LANGUAGES):
            lang = "en"
        with translation.override(lang):
            return super().get(request, *args, **kwargs)


REDOC_JS = (
    Path(drf_spectacular_sidecar.__file__).resolve().parent
    / "static"
    / "drf_spectacular_sidecar"
    / "redoc"
    / "bundles"
    / "redoc.standalone.js"
)
# ReDoc's menu footer shows a logo from Redocly's CDN; an empty image keeps the page offline.
REDOC_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_SVG = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"


@cache
def _redoc_bundle() -> bytes:
    return REDOC_JS.read_text(encoding="utf-8").replace(REDOC_CDN_LOGO, EMPTY_SVG).encode()


@require_GET
@cache_control(public=True, max_age=86400)
def redoc_js(request):
    """ReDoc's bundle from the drf-spectacular-sidecar package, without its one CDN URL."""
    return HttpResponse(_redoc_bundle(), content_type="text/javascript; charset=utf-8")
