"""/api/v1/: the agencies' systems' door onto the portal. URL names are `api:<name>`."""

from django.urls import path, re_path, register_converter

from tracing_portal.bluezone import apis as tracing
from tracing_portal.cases import apis as people
from tracing_portal.notifications import apis as sms
from tracing_portal.stats import apis as stats

from . import apis


class CaseCodeConverter:
    """A person's code, e.g. HD-000123 (the province's prefix, a dash, the number)."""

    regex = r"[A-Z]{2,4}-[0-9]{6,9}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(CaseCodeConverter, "case_code")

app_name = "api"

urlpatterns = [
    path("schema/", apis.SchemaApi.as_view(), name="schema"),
    path("docs/", apis.SwaggerApi.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", apis.RedocApi.as_view(url_name="api:schema"), name="redoc"),
    path("redoc/redoc.standalone.js", apis.redoc_js, name="redoc-js"),
    path("me/", apis.MeApi.as_view(), name="me"),
    # People
    path("people/", people.CaseListApi.as_view(), name="cases-list"),
    path("people/count/", people.CaseCountApi.as_view(), name="cases-count"),
    path("people/create/", people.CaseCreateApi.as_view(), name="cases-create"),
    path("people/<case_code:code>/", people.CaseDetailApi.as_view(), name="cases-detail"),
    path("people/<case_code:code>/update/", people.CaseUpdateApi.as_view(), name="cases-update"),
    path("people/<case_code:code>/verify/", people.CaseVerifyApi.as_view(), name="cases-verify"),
    path("people/<case_code:code>/reject/", people.CaseRejectApi.as_view(), name="cases-reject"),
    path("people/<case_code:code>/relevel/", people.CaseRelevelApi.as_view(), name="cases-relevel"),
    path(
        "people/<case_code:code>/ask-install/",
        people.CaseAskInstallApi.as_view(),
        name="cases-ask-install",
    ),
    path(
        "people/<case_code:code>/contacts/",
        people.CaseContactListApi.as_view(),
        name="cases-contacts",
    ),
    path(
        "people/<case_code:code>/contacts/add/",
        people.CaseAddContactApi.as_view(),
        name="cases-add-contact",
    ),
    # Tracing
    path("people/<case_code:code>/lookups/", tracing.LookupListApi.as_view(), name="lookups-list"),
    path(
        "people/<case_code:code>/lookup/", tracing.LookupCreateApi.as_view(), name="lookups-create"
    ),
    path("people/<case_code:code>/trace/", tracing.TraceOpenApi.as_view(), name="traces-open"),
    path("tracing/queue/", tracing.TracingQueueApi.as_view(), name="tracing-queue"),
    path("tracing/requests/", tracing.TraceListApi.as_view(), name="traces-list"),
    path("tracing/requests/<int:pk>/", tracing.TraceDetailApi.as_view(), name="traces-detail"),
    path(
        "tracing/requests/<int:pk>/refresh/",
        tracing.TraceRefreshApi.as_view(),
        name="traces-refresh",
    ),
    path(
        "tracing/requests/<int:pk>/cancel/", tracing.TraceCancelApi.as_view(), name="traces-cancel"
    ),
    path(
        "tracing/requests/<int:pk>/contacts/",
        tracing.TraceContactListApi.as_view(),
        name="traces-contacts",
    ),
    path(
        "tracing/requests/<int:pk>/accept-all/",
        tracing.CandidatesAcceptAllApi.as_view(),
        name="candidates-accept-all",
    ),
    path(
        "tracing/contacts/<int:pk>/accept/",
        tracing.CandidateAcceptApi.as_view(),
        name="candidates-accept",
    ),
    path(
        "tracing/contacts/<int:pk>/reject/",
        tracing.CandidateRejectApi.as_view(),
        name="candidates-reject",
    ),
    # SMS
    path("people/<case_code:code>/sms/", sms.SmsSendApi.as_view(), name="sms-send"),
    path("sms/messages/", sms.SmsMessageListApi.as_view(), name="sms-log"),
    # Figures
    path("stats/installs/", stats.InstallSnapshotListApi.as_view(), name="stats-snapshots"),
    path("stats/installs/ranks/", stats.InstallRankApi.as_view(), name="stats-ranks"),
    path("stats/installs/headline/", stats.InstallHeadlineApi.as_view(), name="stats-headline"),
    path("stats/tracing/", stats.TracingFiguresApi.as_view(), name="stats-tracing-figures"),
    # Last: any other path under /api/v1/ answers in the API's error shape.
    re_path(r"^.*$", apis.NotFoundApi.as_view(), name="not-found"),
]
