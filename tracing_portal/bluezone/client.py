"""The portal's client for the Bluezone API (or the in-site sandbox that speaks it).

    from tracing_portal.bluezone.client import get_client
    with get_client() as bluezone:
        subscriber = bluezone.get_subscriber("84912345678")   # None if not a Bluezone user

Transient failures (429 with Retry-After, 502, 503, 504, timeouts, connection errors) are
retried with exponential back-off and full jitter, up to BLUEZONE_MAX_ATTEMPTS; after that
BluezoneUnavailable is raised, which a Celery task may retry later. Other 4xx answers are
final and raise the matching BluezoneError. Every POST carries the caller's Idempotency-Key,
the same on each retry, so a retried POST never acts twice.
"""

import hashlib
import hmac
import json
import logging
import random
import time
from collections.abc import Callable, Iterator
from datetime import date
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import httpx
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .contract import (
    FINAL_TRACE_STATUSES,
    OPEN_TRACE_STATUSES,
    WEBHOOK_EVENT,
    Contact,
    ContactsPage,
    InstallStats,
    ProvinceInstalls,
    Sighting,
    Subscriber,
    TraceRequest,
    TraceStatus,
    WebhookEvent,
)

__all__ = [
    "FINAL_TRACE_STATUSES",
    "OPEN_TRACE_STATUSES",
    "WEBHOOK_EVENT",
    "BluezoneAuthError",
    "BluezoneBadRequest",
    "BluezoneClient",
    "BluezoneConflict",
    "BluezoneError",
    "BluezoneNotFound",
    "BluezoneNotRegistered",
    "BluezoneProtocolError",
    "BluezoneUnavailable",
    "Contact",
    "ContactsPage",
    "InstallStats",
    "ProvinceInstalls",
    "Sighting",
    "Subscriber",
    "TraceRequest",
    "TraceStatus",
    "WebhookEvent",
    "get_client",
    "in_process_transport",
    "parse_webhook",
    "sign_webhook",
    "verify_webhook_signature",
]

logger = logging.getLogger(__name__)

TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
SANDBOX_PATH = "/bluezone-sandbox"


# Errors. Their messages may reach a user, so they are translated; details go to the log.


class BluezoneError(Exception):
    """Bluezone refused or failed a call. `.code` is Bluezone's error code, if it gave one."""

    default_message = _("Bluezone could not handle the request.")

    def __init__(self, message=None, *, code: str = "", status: int | None = None, detail=""):
        self.message = message if message is not None else self.default_message
        self.code = code
        self.status = status
        self.detail = detail
        super().__init__(str(self.message))

    def __str__(self):
        return str(self.message)


class BluezoneBadRequest(BluezoneError):
    default_message = _("Bluezone refused the request as malformed.")


class BluezoneAuthError(BluezoneError):
    default_message = _("Bluezone refused the portal's API key.")


class BluezoneNotRegistered(BluezoneError):
    default_message = _("This phone number is not registered with Bluezone.")


class BluezoneNotFound(BluezoneError):
    default_message = _("Bluezone does not know this trace request.")


class BluezoneConflict(BluezoneError):
    """`.code`: open_request_exists, idempotency_conflict, not_completed or not_cancellable."""

    messages = {
        "open_request_exists": _("A trace request is already open for this phone number."),
        "idempotency_conflict": _("The same request key was already used for another request."),
        "not_completed": _("The trace has not completed yet."),
        "not_cancellable": _("This trace request has already ended and cannot be cancelled."),
    }
    default_message = _("Bluezone refused the request because of the request's state.")

    def __init__(self, message=None, *, code: str = "", **kwargs):
        if message is None:
            message = self.messages.get(code)
        super().__init__(message, code=code, **kwargs)


class BluezoneUnavailable(BluezoneError):
    """Transient trouble that outlasted the retries. Retry later (after `.retry_after` s)."""

    default_message = _("Bluezone cannot be reached right now. Try again in a few minutes.")

    def __init__(self, message=None, *, retry_after: float | None = None, attempts=0, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.attempts = attempts


class BluezoneProtocolError(BluezoneError):
    default_message = _("Bluezone sent an answer the portal does not understand.")


def _error_for(response: httpx.Response) -> BluezoneError:
    try:
        error = response.json()["error"]
        code, detail = str(error.get("code", "")), str(error.get("message", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        code, detail = "", response.text[:200]
    status = response.status_code
    kwargs = {"code": code, "status": status, "detail": detail}
    if status in (401, 403):
        return BluezoneAuthError(**kwargs)
    if status == 404:
        if code == "not_registered":
            return BluezoneNotRegistered(**kwargs)
        return BluezoneNotFound(**kwargs)
    if status == 409:
        return BluezoneConflict(**kwargs)
    if 400 <= status < 500:
        return BluezoneBadRequest(**kwargs)
    return BluezoneError(**kwargs)


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class BluezoneClient:
    """One connection pool to Bluezone. Use it as a context manager, or call close()."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float = 5.0,
        max_attempts: int = 4,
        backoff: float = 0.5,
        backoff_max: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self.backoff_max = backoff_max
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311  (jitter, not security)
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "User-Agent": "tracing-portal",
            },
            timeout=httpx.Timeout(timeout, connect=timeout),
            transport=transport,
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._http.close()

    # The API

    def get_subscriber(self, msisdn: str) -> Subscriber | None:
        """The Bluezone user with this number, or None if nobody has Bluezone with it."""
        try:
            data = self._call("GET", f"/v1/subscribers/{quote(msisdn, safe='')}")
        except BluezoneNotRegistered:
            return None
        return self._parse(Subscriber, data)

    def create_trace_request(
        self,
        *,
        msisdn: str,
        case_ref: str,
        callback_url: str,
        window_days: int = 14,
        idempotency_key: str,
    ) -> TraceRequest:
        """Open a trace; the answer carries the 6-digit code for the F0 (valid 24 hours)."""
        body = {
            "msisdn": msisdn,
            "case_ref": case_ref,
            "window_days": window_days,
            "callback_url": callback_url,
        }
        data = self._call("POST", "/v1/trace-requests", json=body, idempotency_key=idempotency_key)
        return self._parse(TraceRequest, data)

    def get_trace_request(self, request_id: str) -> TraceRequest:
        data = self._call("GET", f"/v1/trace-requests/{quote(request_id, safe='')}")
        return self._parse(TraceRequest, data)

    def cancel_trace_request(self, request_id: str, *, idempotency_key: str) -> TraceRequest:
        data = self._call(
            "POST",
            f"/v1/trace-requests/{quote(request_id, safe='')}/cancel",
            json={},
            idempotency_key=idempotency_key,
        )
        return self._parse(TraceRequest, data)

    def list_contacts(
        self, request_id: str, *, cursor: str | None = None, limit: int = 500
    ) -> ContactsPage:
        """One page of a completed trace's contacts (BluezoneConflict not_completed before)."""
        params = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        data = self._call(
            "GET", f"/v1/trace-requests/{quote(request_id, safe='')}/contacts", params=params
        )
        return self._parse(ContactsPage, data)

    def iter_contacts(self, request_id: str, *, page_size: int = 500) -> Iterator[ContactsPage]:
        """Every page of the contacts, in Bluezone's order."""
        cursor = None
        while True:
            page = self.list_contacts(request_id, cursor=cursor, limit=page_size)
            yield page
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def install_stats(self, on: date) -> InstallStats | None:
        """Installs per province on a day, or None when Bluezone has no figures for it."""
        try:
            data = self._call("GET", "/v1/stats/installs", params={"date": on.isoformat()})
        except BluezoneNotFound as exc:
            if exc.code == "no_data":
                return None
            raise
        return self._parse(InstallStats, data)

    # Transport, retries, errors

    def _parse(self, kind, data):
        try:
            return kind.from_json(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            logger.error("Bluezone answer does not fit %s: %r", kind.__name__, exc)
            raise BluezoneProtocolError(detail=repr(exc)) from exc

    def _backoff(self, attempt: int) -> float:
        """Full jitter: a random wait up to base·2^(attempt-1), capped."""
        return self._rng.uniform(0, min(self.backoff_max, self.backoff * 2 ** (attempt - 1)))

    def _call(self, method, path, *, json=None, params=None, idempotency_key=None) -> dict:
        headers = {}
        if method == "POST":
            if not idempotency_key:
                raise ValueError("Every POST to Bluezone needs an idempotency_key.")
            headers["Idempotency-Key"] = idempotency_key
        last = ""
        retry_after = None
        for attempt in range(1, self.max_attempts + 1):
            wait = None
            try:
                response = self._http.request(
                    method, path, json=json, params=params, headers=headers
                )
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code not in TRANSIENT_STATUSES:
                    return self._result(response)
                last = f"HTTP {response.status_code}"
                if response.status_code == 429:
                    retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
                    if retry_after is not None:
                        if retry_after > self.backoff_max:
                            logger.warning(
                                "Bluezone %s %s: rate limited for %ss, not waiting",
                                method,
                                path,
                                retry_after,
                            )
                            raise BluezoneUnavailable(
                                retry_after=retry_after, attempts=attempt, status=429, detail=last
                            )
                        wait = max(retry_after, self._backoff(attempt))
            if attempt == self.max_attempts:
                break
            wait = self._backoff(attempt) if wait is None else wait
            logger.warning(
                "Bluezone %s %s attempt %s/%s failed (%s); retrying in %.2fs",
                method,
                path,
                attempt,
                self.max_attempts,
                last,
                wait,
            )
            self._sleep(wait)
        logger.error("Bluezone %s %s failed after %s attempts (%s)", method, path, attempt, last)
        raise BluezoneUnavailable(retry_after=retry_after, attempts=attempt, detail=last)

    def _result(self, response: httpx.Response) -> dict:
        if response.is_success:
            try:
                data = response.json()
            except ValueError as exc:
                raise BluezoneProtocolError(status=response.status_code) from exc
            if not isinstance(data, dict):
                raise BluezoneProtocolError(status=response.status_code)
            return data
        error = _error_for(response)
        if not isinstance(error, BluezoneNotRegistered | BluezoneConflict | BluezoneNotFound):
            logger.warning(
                "Bluezone %s %s: HTTP %s %s %s",
                response.request.method,
                response.request.url.path,
                error.status,
                error.code,
                error.detail,
            )
        raise error


def in_process_transport() -> httpx.WSGITransport:
    """The site itself as a WSGI app, so the sandbox answers without a server.

    `get_client()` uses it when BLUEZONE_SANDBOX_TRANSPORT is "wsgi"; pass it explicitly
    (`get_client(transport=in_process_transport())`) where no server runs, as in seeding.
    """
    return httpx.WSGITransport(app=_KeepConnections(_wsgi_handler()))


_handlers: dict = {}


def _wsgi_handler():
    """One handler per middleware list: building one loads every middleware (WhiteNoise
    scans the static files), a tenth of a second per Bluezone call otherwise."""
    from django.core.handlers.wsgi import WSGIHandler

    key = tuple(settings.MIDDLEWARE)
    if key not in _handlers:
        _handlers[key] = WSGIHandler()
    return _handlers[key]


_in_process_transport = in_process_transport  # the name stats/demo.py imports


class _KeepConnections:
    """Run the WSGI app without closing the caller's database connection at request end.

    A request's end normally closes obsolete connections. In-process, that connection is the
    caller's own (often inside a test's transaction), as in Django's test client.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        from django.core import signals
        from django.db import close_old_connections

        signals.request_started.disconnect(close_old_connections)
        try:
            body = self.app(environ, start_response)
            signals.request_finished.disconnect(close_old_connections)
            try:
                # Reading the whole answer here lets its close() (request_finished) run now.
                chunks = list(body)
                if hasattr(body, "close"):
                    body.close()
            finally:
                signals.request_finished.connect(close_old_connections)
        finally:
            signals.request_started.connect(close_old_connections)
        return chunks


def get_client(*, transport: httpx.BaseTransport | None = None) -> BluezoneClient:
    """A client configured from settings: the real API if BLUEZONE_API_URL is set, else the
    sandbox at SITE_URL/bluezone-sandbox (in-process when BLUEZONE_SANDBOX_TRANSPORT="wsgi")."""
    base_url = settings.BLUEZONE_API_URL
    if not base_url:
        base_url = settings.SITE_URL.rstrip("/") + SANDBOX_PATH
        if transport is None and getattr(settings, "BLUEZONE_SANDBOX_TRANSPORT", "http") == "wsgi":
            transport = in_process_transport()
    return BluezoneClient(
        base_url=base_url,
        api_key=settings.BLUEZONE_API_KEY,
        timeout=float(getattr(settings, "BLUEZONE_TIMEOUT_SECONDS", 5.0)),
        max_attempts=int(getattr(settings, "BLUEZONE_MAX_ATTEMPTS", 4)),
        backoff=float(getattr(settings, "BLUEZONE_BACKOFF_SECONDS", 0.5)),
        backoff_max=float(getattr(settings, "BLUEZONE_BACKOFF_MAX_SECONDS", 10.0)),
        transport=transport,
    )


# The webhook: Bluezone signs "{timestamp}.{raw body}" with HMAC-SHA256 under the shared secret.


def sign_webhook(body: bytes, timestamp: str | int, secret: str) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_webhook_signature(
    *,
    body: bytes,
    timestamp: str,
    signature: str,
    secret: str,
    now: int | None = None,
    tolerance: int = 300,
) -> bool:
    """True if the signature is Bluezone's and the timestamp within `tolerance` seconds of now."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = int(time.time()) if now is None else now
    if abs(current - sent) > tolerance:
        return False
    expected = sign_webhook(body, timestamp.strip(), secret)
    return hmac.compare_digest(expected.encode(), (signature or "").encode())


def parse_webhook(body: bytes) -> WebhookEvent:
    """The event in a (verified) webhook body; BluezoneProtocolError if it is not one."""
    try:
        event = WebhookEvent.from_json(json.loads(body))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BluezoneProtocolError(detail=repr(exc)) from exc
    if event.event != WEBHOOK_EVENT:
        raise BluezoneProtocolError(detail=f"unknown event {event.event!r}")
    return event
