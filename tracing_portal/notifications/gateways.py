"""Where an SMS leaves the portal: one interface, two gateways.

- `ConsoleGateway` (SMS_BACKEND=console, the default): writes the message to the log; the
  message table keeps it as sent. Nothing leaves the machine.
- `HttpGateway` (SMS_BACKEND=http): the operator's API at SMS_HTTP_URL, or the in-site
  sandbox (notifications/sandbox/) when that is unset.

The operator's contract, in one place:

POST {SMS_HTTP_URL}/send with HTTP Basic auth (SMS_HTTP_USERNAME, SMS_HTTP_PASSWORD) and
    {"to": "84912345678", "from": "<short code>", "text", "encoding": "gsm7"|"ucs2",
     "client_ref": "<our idempotency key>", "callback_url"}
  202 {"message_id", "status": "accepted"}. A repeated client_ref is the same message: the
      same message_id comes back and nothing is delivered twice, so a retry is always safe.
  400 {"error": {"code", "message"}}: refused for good (bad number, sender, text).
  401/403: bad credentials (final). 409 client_ref_conflict: the key was used for other
  text (final). 429 (Retry-After), 5xx, timeouts and network errors are transient.

Delivery receipts: POST {callback_url}
    {"event": "sms.status", "message_id", "client_ref", "status": "delivered"|"failed",
     "error_code": null|"...", "occurred_at": ISO 8601}
  with X-Sms-Timestamp (unix seconds) and X-Sms-Signature: "sha256=" + hex HMAC-SHA256 of
  "{timestamp}.{raw body}" under SMS_CALLBACK_SECRET.
"""

import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Protocol

import httpx
from django.conf import settings

from tracing_portal.cases.phones import mask

logger = logging.getLogger(__name__)

RECEIPT_MAX_AGE_SECONDS = 300


@dataclass(frozen=True)
class OutgoingSms:
    to: str  # E.164
    sender: str
    text: str
    encoding: str
    client_ref: str
    callback_url: str = ""


@dataclass(frozen=True)
class GatewayResult:
    provider_id: str
    status: str = "accepted"
    duplicate: bool = False


class GatewayError(Exception):
    """The operator did not take the message."""

    transient = False

    def __init__(self, code: str, message: str = "", *, retry_after: float | None = None):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.retry_after = retry_after


class TransientGatewayError(GatewayError):
    """Worth another try later: 429, 5xx, a timeout, the network."""

    transient = True


class SmsGateway(Protocol):
    name: str

    def send(self, sms: OutgoingSms) -> GatewayResult: ...


class ConsoleGateway:
    name = "console"

    def send(self, sms: OutgoingSms) -> GatewayResult:
        logger.info(
            "SMS (console) from %s to %s [%s]: %s",
            sms.sender,
            mask(sms.to),
            sms.encoding,
            sms.text,
        )
        digest = hashlib.sha256(sms.client_ref.encode()).hexdigest()[:20]
        return GatewayResult(provider_id=f"console-{digest}")


class HttpGateway:
    name = "http"

    def __init__(self, *, base_url: str, username: str, password: str, timeout: float):
        self.base_url = base_url.rstrip("/")
        self.auth = (username, password)
        self.timeout = timeout

    @classmethod
    def from_settings(cls) -> "HttpGateway":
        return cls(
            base_url=settings.SMS_HTTP_URL or settings.SITE_URL.rstrip("/") + "/sms-sandbox",
            username=settings.SMS_HTTP_USERNAME,
            password=settings.SMS_HTTP_PASSWORD,
            timeout=settings.SMS_HTTP_TIMEOUT_SECONDS,
        )

    def send(self, sms: OutgoingSms) -> GatewayResult:
        payload = {
            "to": sms.to.lstrip("+"),
            "from": sms.sender,
            "text": sms.text,
            "encoding": sms.encoding,
            "client_ref": sms.client_ref,
            "callback_url": sms.callback_url,
        }
        try:
            response = httpx.post(
                f"{self.base_url}/send", json=payload, auth=self.auth, timeout=self.timeout
            )
        except httpx.TimeoutException as exc:
            raise TransientGatewayError("timeout", str(exc)) from exc
        except httpx.HTTPError as exc:
            raise TransientGatewayError("network", str(exc)) from exc
        return self._result(response)

    @staticmethod
    def _result(response: httpx.Response) -> GatewayResult:
        try:
            data = response.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        status = response.status_code
        if status in (200, 201, 202) and data.get("message_id"):
            return GatewayResult(
                provider_id=str(data["message_id"]),
                status=str(data.get("status", "accepted")),
                duplicate=bool(data.get("duplicate")),
            )
        err = data.get("error") if isinstance(data.get("error"), dict) else {}
        code = str(err.get("code") or f"http_{status}")
        message = str(err.get("message") or "")[:200]
        if status == 429:
            raise TransientGatewayError(
                code, message, retry_after=_seconds(response.headers.get("Retry-After"))
            )
        if status >= 500:
            raise TransientGatewayError(code, message)
        raise GatewayError(code, message)


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def get_gateway() -> SmsGateway:
    if settings.SMS_BACKEND == "http":
        return HttpGateway.from_settings()
    if settings.SMS_BACKEND == "console":
        return ConsoleGateway()
    raise ValueError(f"Unknown SMS_BACKEND {settings.SMS_BACKEND!r} (console or http).")


def receipt_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def receipt_signature_ok(*, secret: str, timestamp: str, signature: str, body: bytes) -> bool:
    return hmac.compare_digest(receipt_signature(secret, timestamp, body), signature or "")
