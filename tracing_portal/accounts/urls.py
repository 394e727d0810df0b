from django.contrib.auth import views as auth_views
from django.urls import path, re_path, reverse_lazy

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/", views.OtpVerifyView.as_view(), name="otp_verify"),
    path("otp/setup/", views.OtpSetupView.as_view(), name="otp_setup"),
    path("invitation/<str:token>/", views.InvitationView.as_view(), name="invitation"),
    path("users/", views.UserListView.as_view(), name="users"),
    path("users/new/", views.UserCreateView.as_view(), name="user_create"),
    re_path(
        r"^users/(?P<pk>[0-9]+)/(?P<action>invite|unlock|reset-otp)/$",
        views.UserActionView.as_view(),
        name="user_action",
    ),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
