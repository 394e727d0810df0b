"""Set the sandbox up for a demo or a test: who has Bluezone, who met whom.

    from tracing_portal.bluezone.sandbox import scenario
    scenario.register("84912345678", province_code="30")
    scenario.meet("84912345678", "84987654321", minutes=40, rssi=-60)

A trace of either number then lists the other as a near, long contact, besides the
generated ones. All functions are idempotent for the same arguments.
"""

from datetime import timedelta

from django.utils import timezone

from .models import SandboxMeeting, SandboxSubscriber, SandboxTraceRequest, SandboxTraceStatus
from .population import current_seed, is_msisdn, synthetic_subscriber, synthetic_traits
from .services import phone_upload, trace_request_refresh


def _check(msisdn: str) -> str:
    if not is_msisdn(msisdn):
        raise ValueError(f"Not an MSISDN (84 and 9 digits): {msisdn!r}")
    return msisdn


def register(
    msisdn: str,
    *,
    province_code: str | None = None,
    phone_verified: bool = True,
    os: str = SandboxSubscriber.Os.ANDROID,
) -> SandboxSubscriber:
    """Make the number a Bluezone user (with a verified phone unless told otherwise)."""
    _check(msisdn)
    if province_code is None:
        existing = SandboxSubscriber.objects.filter(msisdn=msisdn).first()
        province_code = (
            existing.province_code if existing else synthetic_traits(current_seed(), msisdn)[2]
        )
    subscriber, _created = SandboxSubscriber.objects.update_or_create(
        msisdn=msisdn,
        defaults={
            "installed": True,
            "phone_verified": phone_verified,
            "province_code": province_code,
            "os": os,
        },
    )
    return subscriber


def unregister(msisdn: str) -> SandboxSubscriber:
    """Make the number have no Bluezone, whatever the synthetic population says."""
    _check(msisdn)
    synthetic = synthetic_subscriber(current_seed(), msisdn)
    subscriber, _created = SandboxSubscriber.objects.update_or_create(
        msisdn=msisdn,
        defaults={
            "installed": False,
            "province_code": synthetic.province_code
            if synthetic
            else synthetic_traits(current_seed(), msisdn)[2],
        },
    )
    return subscriber


def meet(
    a: str, b: str, *, minutes: int = 40, rssi: int = -60, days_ago: int | None = None
) -> SandboxMeeting:
    """Record that a and b met (both are registered if they are not yet)."""
    _check(a)
    _check(b)
    if a == b:
        raise ValueError("A number cannot meet itself.")
    for msisdn in (a, b):
        if not SandboxSubscriber.objects.filter(msisdn=msisdn, installed=True).exists():
            register(msisdn)
    meeting, _created = SandboxMeeting.objects.get_or_create(
        msisdn_a=a, msisdn_b=b, minutes=minutes, rssi=rssi, days_ago=days_ago
    )
    return meeting


def enter_code(msisdn: str, code: str) -> SandboxTraceRequest:
    """What the F0 does on the phone page. Raises services.PhoneError when refused."""
    return phone_upload(msisdn=_check(msisdn), code=code)


def expire_code(request_id: str) -> SandboxTraceRequest:
    """Move time on: the request's code expired a minute ago."""
    trace_request = SandboxTraceRequest.objects.get(pk=request_id)
    if trace_request.status == SandboxTraceStatus.CODE_ISSUED:
        trace_request.code_expires_at = timezone.now() - timedelta(minutes=1)
        trace_request.save(update_fields=["code_expires_at"])
    return trace_request_refresh(trace_request)
