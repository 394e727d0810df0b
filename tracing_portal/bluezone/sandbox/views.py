"""The phone: a page standing in for the F0's Bluezone app, where the code is entered."""

import json

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .forms import PhoneCodeForm, normalise_msisdn
from .services import PhoneError, phone_upload


# A stand-in device posts without a CSRF token, like the app it replaces.
@method_decorator(csrf_exempt, name="dispatch")
class PhoneView(View):
    template_name = "bluezone/sandbox/phone.html"

    def get(self, request):
        return render(request, self.template_name, {"form": PhoneCodeForm()})

    def post(self, request):
        form = PhoneCodeForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            trace_request = phone_upload(
                msisdn=form.cleaned_data["msisdn"], code=form.cleaned_data["code"]
            )
        except PhoneError as exc:
            form.add_error(None, exc.message)
            return render(
                request, self.template_name, {"form": form, "error_code": exc.code}, status=400
            )
        return render(request, self.template_name, {"form": None, "uploaded": trace_request})


@csrf_exempt
def test_upload(request):
    """The phone step for scripts: POST {"msisdn", "code"} as JSON."""
    if request.method != "POST":
        return JsonResponse(
            {"error": {"code": "method_not_allowed", "message": "POST only."}}, status=405
        )
    try:
        data = json.loads(request.body or b"{}")
        msisdn, code = normalise_msisdn(str(data["msisdn"])), str(data["code"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse(
            {"error": {"code": "invalid_request", "message": 'Send {"msisdn", "code"}.'}},
            status=400,
        )
    try:
        trace_request = phone_upload(msisdn=msisdn, code=code)
    except PhoneError as exc:
        error = {"code": exc.code, "message": str(exc.message)}
        if exc.attempts_left is not None:
            error["attempts_left"] = exc.attempts_left
        return JsonResponse({"error": error}, status=exc.status)
    return JsonResponse({"id": trace_request.id, "status": trace_request.status})
