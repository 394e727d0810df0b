"""One error body for every API answer that is not a success:

{"error": {"code": "...", "message": "...", "details": {...}}}
"""

import json
import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback

from tracing_portal.bluezone.client import BluezoneError
from tracing_portal.cases.services import StaleEditError
from tracing_portal.core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

# DRF's exceptions and the code each gets in the body.
CODES = [
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "forbidden"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
    (exceptions.ParseError, "malformed"),
    (exceptions.ValidationError, "invalid"),
]


def error_body(code: str, message, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "details": _plain(details or {})}}


def _plain(value):
    """JSON-safe copy: dates, lazy translations and DRF's ErrorDetail become plain values."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _field_errors(detail) -> dict:
    if isinstance(detail, dict):
        return {str(k): _messages(v) for k, v in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(detail):
    if isinstance(detail, dict):
        return {str(k): _messages(v) for k, v in detail.items()}
    if isinstance(detail, list | tuple):
        return [_messages(v) for v in detail]
    return str(detail)


def api_exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]. Business refusals (ApplicationError) are 400
    "rejected", a stale edit 409 "stale" with what changed; anything unexpected is logged and
    answered 500 without its details."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = ApiError(
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            code="too_large",
            message=_("The request body is too large."),
        )
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError()

    headers = {}
    if isinstance(exc, ApiError):
        status_code = exc.status_code
        body = error_body(exc.error_code, exc.message, exc.details)
    elif isinstance(exc, StaleEditError):
        status_code = status.HTTP_409_CONFLICT
        body = error_body("stale", exc.message, {"changes": exc.changes})
    elif isinstance(exc, ApplicationError):
        status_code = status.HTTP_400_BAD_REQUEST
        body = error_body("rejected", exc.message, exc.extra)
    elif isinstance(exc, BluezoneError):
        logger.warning("Bluezone call failed in the API: %s", exc.detail or exc)
        status_code = status.HTTP_502_BAD_GATEWAY
        body = error_body("bluezone_unavailable", exc.message, {"bluezone_code": exc.code})
    elif isinstance(exc, exceptions.APIException):
        status_code = exc.status_code
        code = next((c for cls, c in CODES if isinstance(exc, cls)), None) or exc.default_code
        details = {}
        if isinstance(exc, exceptions.ValidationError):
            message = _("The request is not valid; the details say which fields and why.")
            details = _field_errors(exc.detail)
        elif isinstance(exc, exceptions.ParseError):
            # The JSON parser's message is English and not translatable ("JSON parse error
            # - Expecting value: line 1 column 1"): it goes in the details, for developers.
            message = exc.default_detail
            if str(exc.detail) != str(message):
                details = {"reason": str(exc.detail)}
        elif isinstance(exc.detail, dict | list):
            message = exc.default_detail
            details = {"errors": _messages(exc.detail)}
        else:
            message = exc.detail
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(int(exc.wait))
            details["retry_after"] = int(exc.wait)
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        body = error_body(code, message, details)
    else:
        request = context.get("request")
        logger.error(
            "Unexpected error in the API at %s",
            getattr(request, "path", "?"),
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
        body = error_body("server_error", _("Something went wrong on the server. Try again later."))
    set_rollback()
    return Response(body, status=status_code, headers=headers)


class ApiError(exceptions.APIException):
    """An error whose code and details a view chooses, e.g. 409 "duplicates"."""

    def __init__(self, *, status_code: int, code: str, message, details: dict | None = None):
        super().__init__(detail=str(message), code=code)
        self.status_code = status_code
        self.error_code = code
        self.message = message
        self.details = details or {}
