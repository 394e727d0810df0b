from django.urls import path

from . import views

app_name = "bluezone"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("webhook/", views.WebhookView.as_view(), name="webhook"),
    path("people/<str:code>/open/", views.TraceOpenView.as_view(), name="open"),
    path("people/<str:code>/lookup/", views.LookupRequestView.as_view(), name="lookup"),
    path("requests/<int:pk>/", views.TraceDetailView.as_view(), name="trace_detail"),
    path("requests/<int:pk>/refresh/", views.TraceRefreshView.as_view(), name="refresh"),
    path("requests/<int:pk>/cancel/", views.TraceCancelView.as_view(), name="cancel"),
    path("requests/<int:pk>/accept-all/", views.AcceptAllView.as_view(), name="accept_all"),
    path("requests/<int:pk>/send-code/", views.SendCodeView.as_view(), name="send_code"),
    path("requests/<int:pk>/notify/", views.NotifyAcceptedView.as_view(), name="notify"),
    path("contacts/<int:pk>/review/", views.CandidateReviewView.as_view(), name="review"),
]
