from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext


class PortalLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose otherwise with the language switcher.

    The browser's Accept-Language is ignored: office computers in the province often run an
    English browser, and the portal's working language is Vietnamese.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# What a page loads beside itself: its script, stylesheets and translations.
ASSET_VIEWS = frozenset({"javascript-catalog", "plotly_js", "plotly_css"})


class PortalSessionMiddleware(SessionMiddleware):
    """Django's, except that the assets a page loads with it neither read nor refresh the
    session.

    Every other request refreshes the idle timeout (SESSION_SAVE_EVERY_REQUEST), one read
    and one write. A page's script, stylesheets and translations come in parallel right
    after it and need no session: skipping it saves those queries and keeps them from
    racing for the session row.
    """

    def process_response(self, request, response):
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in ASSET_VIEWS and not request.session.accessed:
            return response
        return super().process_response(request, response)


# Views a signed-in user reaches before the second step: the second step itself, signing
# out, switching language, and the invitation page (which signs its own user in).
OTP_EXEMPT_VIEWS = frozenset(
    {
        "accounts:otp_verify",
        "accounts:otp_setup",
        "accounts:logout",
        "accounts:invitation",
        "set_language",
        *ASSET_VIEWS,
    }
)


class OtpRequiredMiddleware:
    """After the password, a user who must use a second step (or chose to) reaches nothing
    but the OTP pages and sign-out until a code has been checked.

    Runs after django_otp's OTPMiddleware, which tells whether this session's user has been
    verified by a device.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Exempt views first: the scripts and stylesheets a page loads then read no session.
        match = request.resolver_match
        if match is not None and match.view_name in OTP_EXEMPT_VIEWS:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        from tracing_portal.accounts.selectors import user_otp_state

        state = user_otp_state(user=user)
        if not state:
            return None
        if request.path.startswith("/api/"):
            from tracing_portal.api.exceptions import error_body

            message = gettext("Finish signing in with your authentication code.")
            return JsonResponse(error_body("second_step_required", message), status=403)
        target = reverse("accounts:otp_verify" if state == "verify" else "accounts:otp_setup")
        return redirect_to_login(request.get_full_path(), target)
