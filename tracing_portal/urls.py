from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from tracing_portal.accounts.views import HomeView
from tracing_portal.core.views import plotly_css, plotly_js

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/", include("tracing_portal.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("static-lib/plotly.min.js", plotly_js, name="plotly_js"),
    path("static-lib/plotly-<slug:name>.css", plotly_css, name="plotly_css"),
    path("cases/", include("tracing_portal.cases.urls")),
    path("tracing/", include("tracing_portal.bluezone.urls")),
    path("sms/", include("tracing_portal.notifications.urls")),
    path("stats/", include("tracing_portal.stats.urls")),
    path("exchange/", include("tracing_portal.exchange.urls")),
    path("audit/", include("tracing_portal.audit.urls")),
    path("api/v1/", include("tracing_portal.api.urls")),
    path("admin/", admin.site.urls),
]

if settings.BLUEZONE_SANDBOX_ENABLED:
    urlpatterns.append(path("bluezone-sandbox/", include("tracing_portal.bluezone.sandbox.urls")))
if settings.SMS_SANDBOX_ENABLED:
    urlpatterns.append(path("sms-sandbox/", include("tracing_portal.notifications.sandbox.urls")))
