import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView
from django_otp import login as otp_login

from tracing_portal.audit.models import AuditAction
from tracing_portal.audit.services import audit_record
from tracing_portal.core.exceptions import ApplicationError

from . import services
from .backends import PASSWORD_BACKEND
from .forms import (
    InvitationPasswordForm,
    LoginForm,
    OtpSetupForm,
    OtpTokenForm,
    UserCreateForm,
)
from .selectors import (
    home_summary,
    user_get_managed,
    user_has_authenticator,
    user_list,
    user_otp_required,
    user_otp_throttled,
    users_mark_locked,
)


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(home_summary(actor=self.request.user))
        return ctx


# Signing in


class PortalLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        audit_record(
            actor=user,
            action=AuditAction.LOGIN,
            obj=user,
            details={"step": "password", "otp_required": user_otp_required(user=user)},
        )
        return response


def login_locked_out(request, response=None, credentials=None):
    """django-axes' answer to a locked account: the sign-in page with a plain message,
    whether the password typed was right or not."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = LoginForm(request, initial={"username": username})
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": request.POST.get("next", ""),
            "locked_message": _(
                "This account is locked for %(minutes)s minutes after %(limit)s failed "
                "sign-ins. Try again later, or ask your province administrator to unlock it."
            )
            % {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT},
        },
        status=429,
    )


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class OtpVerifyView(LoginRequiredMixin, View):
    """The second step: a code from the authenticator app, or a backup code."""

    template_name = "accounts/otp_verify.html"

    def get(self, request):
        if request.user.is_verified():
            return redirect(_safe_next(request, reverse("home")))
        if not user_has_authenticator(user=request.user):
            return redirect(f"{reverse('accounts:otp_setup')}?next={request.GET.get('next', '')}")
        return self._render(OtpTokenForm())

    def post(self, request):
        form = OtpTokenForm(request.POST)
        if form.is_valid():
            device = services.otp_verify(user=request.user, token=form.cleaned_data["token"])
            if device is not None:
                otp_login(request, device)
                return redirect(_safe_next(request, reverse("home")))
            if user_otp_throttled(user=request.user):
                message = _("Too many wrong codes. Wait a few seconds, then type the newest code.")
            else:
                message = _(
                    "That code is not right or was used already. Wait for the next code, "
                    "or use a backup code."
                )
            form.add_error("token", message)
        return self._render(form, status=200)

    def _render(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "next": _safe_next(self.request, "")},
            status=status,
        )


class OtpSetupView(LoginRequiredMixin, View):
    """Set up an authenticator app: a QR code (inline SVG drawn on the server), the secret
    for typing in by hand, and a first code to confirm."""

    template_name = "accounts/otp_setup.html"

    def dispatch(self, request, *args, **kwargs):
        # Replacing an authenticator needs the current one: with only the password, a
        # stranger could otherwise enrol their own phone in its place.
        user = request.user
        if user.is_authenticated and not user.is_verified() and user_has_authenticator(user=user):
            return redirect(
                f"{reverse('accounts:otp_verify')}?next={reverse('accounts:otp_setup')}"
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._render(OtpSetupForm())

    def post(self, request):
        form = OtpSetupForm(request.POST)
        device = services.totp_device_start(user=request.user)
        if form.is_valid():
            try:
                codes = services.totp_device_confirm(
                    user=request.user, device=device, token=form.cleaned_data["token"]
                )
            except ApplicationError as exc:
                form.add_error("token", exc.message)
            else:
                device.refresh_from_db()
                otp_login(request, device)
                return render(
                    request,
                    "accounts/otp_backup_codes.html",
                    {"codes": codes, "next": _safe_next(request, reverse("home"))},
                )
        return self._render(form)

    def _render(self, form):
        user = self.request.user
        device = services.totp_device_start(user=user)
        uri = device.config_url
        qr = segno.make(uri, error="m")
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "otpauth_uri": uri,
                "secret": _grouped(services.totp_secret_b32(device)),
                "qr_svg": qr.svg_inline(
                    scale=4, border=2, svgclass="qr-code", title=_("QR code of the account")
                ),
                "required": user_otp_required(user=user),
                "replacing": user_has_authenticator(user=user),
                "next": _safe_next(self.request, ""),
            },
        )


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# Invitations


class InvitationView(View):
    """The link an administrator gave: the person chooses their password here."""

    template_name = "accounts/invitation.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            self.invitation = services.invitation_check(token=kwargs["token"])
        except services.InvitationError as exc:
            return render(
                request,
                "accounts/invitation_invalid.html",
                {"message": exc.message, "reason": exc.reason},
                status=410 if exc.reason in ("expired", "used", "revoked") else 404,
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, token):
        return self._render(InvitationPasswordForm(user=self.invitation.user))

    def post(self, request, token):
        form = InvitationPasswordForm(request.POST, user=self.invitation.user)
        if form.is_valid():
            try:
                user = services.invitation_accept(
                    token=token, password=form.cleaned_data["new_password1"]
                )
            except services.InvitationError as exc:
                return render(
                    request,
                    "accounts/invitation_invalid.html",
                    {"message": exc.message, "reason": exc.reason},
                    status=410,
                )
            except ValidationError as exc:
                form.add_error("new_password1", exc)
            else:
                auth_login(request, user, backend=PASSWORD_BACKEND)
                messages.success(request, _("Your password is set. Welcome to the portal."))
                if user_otp_required(user=user):
                    return redirect("accounts:otp_setup")
                return redirect("home")
        return self._render(form)

    def _render(self, form):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "invited": self.invitation.user,
                "otp_required": user_otp_required(user=self.invitation.user),
            },
        )


# User administration (province and national administrators)


class UserAdminMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "accounts.manage_province_users"


class UserListView(UserAdminMixin, ListView):
    template_name = "accounts/user_list.html"
    paginate_by = 50
    context_object_name = "users"

    def get_queryset(self):
        return user_list(actor=self.request.user, filters={"q": self.request.GET.get("q", "")})

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["users"] = users_mark_locked(ctx["users"])
        ctx["q"] = self.request.GET.get("q", "")
        return ctx


class UserCreateView(UserAdminMixin, View):
    template_name = "accounts/user_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": UserCreateForm(actor=request.user)})

    def post(self, request):
        form = UserCreateForm(request.POST, actor=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                issued = services.user_create(
                    actor=request.user,
                    username=data["username"],
                    full_name=data["full_name"],
                    email=data["email"],
                    phone=data["phone"],
                    agency=data["agency"],
                    role=data["role"],
                    province_id=data["province"].pk if data["province"] else None,
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return _invitation_page(request, issued)
        return render(request, self.template_name, {"form": form})


def _invitation_page(request, issued):
    link = request.build_absolute_uri(reverse("accounts:invitation", args=[issued.token]))
    return render(
        request,
        "accounts/invitation_issued.html",
        {"invited": issued.invitation.user, "link": link, "invitation": issued.invitation},
    )


class UserActionView(UserAdminMixin, View):
    """POST-only actions on one managed account."""

    def post(self, request, pk, action):
        user = user_get_managed(actor=request.user, pk=pk)
        try:
            if action == "invite":
                return _invitation_page(
                    request, services.invitation_issue(actor=request.user, user=user)
                )
            if action == "unlock":
                services.user_unlock(actor=request.user, user=user)
                messages.success(request, _("%(user)s can sign in again.") % {"user": user})
            elif action == "reset-otp":
                services.otp_reset(actor=request.user, user=user)
                messages.success(
                    request,
                    _("%(user)s sets up a new authenticator at their next sign-in.")
                    % {"user": user},
                )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("accounts:users")
