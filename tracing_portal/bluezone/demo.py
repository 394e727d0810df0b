"""Bluezone in the demo: the first F0's history was uploaded and matched, and CDC accepted
the nearest contacts; the second F0 waits for its code; the third has no Bluezone."""

from tracing_portal.accounts.models import User
from tracing_portal.cases.models import Case

from . import services
from .models import TraceRequest, TraceState
from .sandbox import scenario


def seed(*, stdout) -> None:
    if TraceRequest.objects.filter(province_id="30").exists():
        stdout.write("Bluezone: the demo traces are already there.")
        return
    dic = User.objects.get(username="hd.dic")
    cdc = User.objects.get(username="hd.cdc")
    from tracing_portal.cases.demo import F0S

    names = [row[0] for row in F0S[:3]]
    f0s = {c.full_name: c for c in Case.objects.filter(province_id="30", full_name__in=names)}
    if len(f0s) < 3:
        stdout.write("Bluezone: the cases demo is missing; nothing to trace.")
        return
    first, second, third = (f0s[name] for name in names)
    for person in (first, second):
        scenario.register(person.phone.lstrip("+"), province_code="30")
    scenario.unregister(third.phone.lstrip("+"))
    # People already on file whom the first F0 met: a Bluezone trace finds them again.
    met = list(
        Case.objects.filter(province_id="30", level__gte=1)
        .exclude(phone="")
        .exclude(source=first)
        .order_by("code")[:3]
    )
    for minutes, person in zip((55, 35, 20), met, strict=False):
        scenario.meet(first.phone.lstrip("+"), person.phone.lstrip("+"), minutes=minutes, rssi=-58)

    traces = {}
    for person in (first, second, third):
        trace = services.trace_request_open(actor=dic, case=person)
        traces[person.code] = services.trace_submit(trace_id=trace.pk)
    done = traces[first.code]
    scenario.enter_code(done.msisdn, done.verification_code)
    services.trace_refresh(trace_id=done.pk, source="poll")
    done = services.trace_ingest(trace_id=done.pk)
    accepted = 0
    for contact in (
        done.contacts.filter(is_candidate=True).exclude(phone="").order_by("-weighted_minutes")[:6]
    ):
        services.candidate_accept(actor=cdc, contact=contact)
        accepted += 1
    # DIC texted the waiting F0 its code, and the accepted contacts their notice.
    services.trace_send_code_sms(actor=dic, trace=traces[second.code])
    services.trace_notify_accepted(actor=dic, trace=done)
    stdout.write(
        f"Bluezone: {len(traces)} trace requests; {first.code} matched "
        f"{done.contacts.count()} contacts, {accepted} accepted as F1; "
        f"{second.code} waits for its code; {third.code}: "
        f"{TraceRequest.objects.get(pk=traces[third.code].pk).get_status_display()}."
    )
    assert TraceRequest.objects.get(pk=done.pk).status == TraceState.COMPLETED
