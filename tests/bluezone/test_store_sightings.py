import datetime as dt

from tracing_portal.bluezone import services
from tracing_portal.bluezone.models import Sighting, TracedContact
from tracing_portal.bluezone.sandbox import scenario

from .test_tracing import open_and_submit, verified_f0  # noqa: F401 - fixture


def test_sightings_are_stored_with_their_values_and_once_per_time(
    verified_f0,  # noqa: F811
    dic_user,
    django_capture_on_commit_callbacks,
):
    trace = open_and_submit(dic_user, verified_f0, django_capture_on_commit_callbacks)
    scenario.enter_code(trace.msisdn, trace.verification_code)
    with django_capture_on_commit_callbacks(execute=True):
        services.trace_refresh(trace_id=trace.pk)
    contact = TracedContact.objects.filter(trace=trace).first()
    contact.sightings.all().delete()
    t0 = dt.datetime(2021, 5, 1, 8, 0, tzinfo=dt.UTC)
    rows = [(contact.pk, t0 + dt.timedelta(seconds=10 * i), -50 - i) for i in range(3)]
    services._insert_sightings(iter(rows + rows[:1]))  # a time twice in one page
    services._insert_sightings(iter(rows))  # and the page again
    stored = list(
        Sighting.objects.filter(contact=contact)
        .order_by("seen_at")
        .values_list("contact_id", "seen_at", "rssi")
    )
    assert stored == rows
