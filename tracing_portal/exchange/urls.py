from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/template/<str:kind>.xlsx", views.ImportTemplateView.as_view(), name="template"),
    path("import/<int:pk>/", views.ImportJobView.as_view(), name="job"),
    path("import/<int:pk>/status.json", views.ImportJobStatusView.as_view(), name="job_status"),
    path("import/<int:pk>/confirm/", views.ImportJobConfirmView.as_view(), name="job_confirm"),
    path("import/<int:pk>/cancel/", views.ImportJobCancelView.as_view(), name="job_cancel"),
    path(
        "import/<int:pk>/errors.<str:file_format>",
        views.ImportErrorsView.as_view(),
        name="job_errors",
    ),
    path("export/", views.ExportIndexView.as_view(), name="export"),
    path("export/people/", views.ExportPeopleView.as_view(), name="export_people"),
    path("export/sms/", views.ExportSmsView.as_view(), name="export_sms"),
    path("export/f1-candidates/", views.ExportCandidatesView.as_view(), name="export_candidates"),
    path("export/install-figures/", views.ExportSnapshotsView.as_view(), name="export_snapshots"),
    path("export/ministry-report/", views.MinistryReportView.as_view(), name="ministry_report"),
]
