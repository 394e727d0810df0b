from django.urls import path

from . import api, views

app_name = "bluezone_sandbox"

urlpatterns = [
    path("phone/", views.PhoneView.as_view(), name="phone"),
    path("v1/_test/upload", views.test_upload, name="test-upload"),
    path("v1/subscribers/<str:msisdn>", api.subscriber_detail, name="subscriber"),
    path("v1/trace-requests", api.trace_request_list, name="trace-requests"),
    path("v1/trace-requests/<str:request_id>", api.trace_request_detail, name="trace-request"),
    path(
        "v1/trace-requests/<str:request_id>/cancel",
        api.trace_request_cancel_view,
        name="trace-request-cancel",
    ),
    path(
        "v1/trace-requests/<str:request_id>/contacts",
        api.trace_request_contacts,
        name="trace-request-contacts",
    ),
    path("v1/stats/installs", api.install_stats, name="install-stats"),
]
