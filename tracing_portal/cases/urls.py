from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="list"),
    path("new/", views.CaseCreateView.as_view(), name="create"),
    path("sources/", views.SourceSearchView.as_view(), name="source_search"),
    path("<str:code>/", views.CaseDetailView.as_view(), name="detail"),
    path("<str:code>/edit/", views.CaseUpdateView.as_view(), name="update"),
    path("<str:code>/contacts/", views.CaseAddContactView.as_view(), name="add_contact"),
    path("<str:code>/verify/", views.CaseVerifyView.as_view(), name="verify"),
    path("<str:code>/reject/", views.CaseRejectView.as_view(), name="reject"),
    path("<str:code>/ask-install/", views.CaseAskInstallView.as_view(), name="ask_install"),
    path("<str:code>/relevel/", views.CaseRelevelView.as_view(), name="relevel"),
    path("<str:code>/merge/", views.CaseMergeView.as_view(), name="merge"),
    path("<str:code>/chain/", views.CaseChainView.as_view(), name="chain"),
]
