from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.SmsLogView.as_view(), name="log"),
    path("figures/", views.SmsFiguresView.as_view(), name="figures"),
    path("send/", views.SmsSendLookupView.as_view(), name="send_lookup"),
    path("send/<str:code>/", views.SmsSendView.as_view(), name="send"),
    path("bulk/", views.SmsBulkView.as_view(), name="bulk"),
    path("ask-install/<str:code>/", views.SmsAskInstallView.as_view(), name="ask_install"),
    path("receipts/", views.receipt_callback, name="receipt"),
]
