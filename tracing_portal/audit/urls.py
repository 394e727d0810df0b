from django.urls import path

from .views import AuditEventListView, DataReportView

app_name = "audit"

urlpatterns = [
    path("", AuditEventListView.as_view(), name="list"),
    path("data-report/", DataReportView.as_view(), name="data_report"),
]
