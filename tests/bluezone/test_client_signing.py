"""The webhook signature helpers and other pure parts of the client."""

import hashlib
import hmac
import json
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tracing_portal.bluezone.client import (
    BluezoneClient,
    BluezoneProtocolError,
    TraceStatus,
    parse_webhook,
    sign_webhook,
    verify_webhook_signature,
)
from tracing_portal.bluezone.client import _retry_after_seconds as retry_after_seconds

BODY = b'{"event":"trace_request.updated","id":"tr_1","status":"completed","occurred_at":"2020-08-14T08:01:05+07:00"}'  # noqa: E501
SECRET = "s3cret"


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), b"1597366865." + BODY, hashlib.sha256).hexdigest()

    assert sign_webhook(BODY, "1597366865", SECRET) == f"sha256={expected}"
    assert sign_webhook(BODY, 1597366865, SECRET) == f"sha256={expected}"


def test_verify_accepts_a_fresh_signature_and_rejects_everything_else():
    signature = sign_webhook(BODY, "1000", SECRET)

    def check(**changes):
        args = {"body": BODY, "timestamp": "1000", "signature": signature, "secret": SECRET}
        return verify_webhook_signature(**(args | changes), now=1000 + 10)

    assert check()
    assert not check(body=BODY + b" ")
    assert not check(secret="other")
    assert not check(signature=signature.removeprefix("sha256="))
    assert not check(signature="")
    assert not check(timestamp="not-a-number")
    assert not check(timestamp="1001")
    assert verify_webhook_signature(
        body=BODY, timestamp="1000", signature=signature, secret=SECRET, now=1300
    )
    assert not verify_webhook_signature(
        body=BODY, timestamp="1000", signature=signature, secret=SECRET, now=1301
    )
    assert not verify_webhook_signature(
        body=BODY, timestamp="1000", signature=signature, secret=SECRET, now=699
    )


def test_parse_webhook_reads_the_event():
    event = parse_webhook(BODY)

    assert (event.id, event.status) == ("tr_1", TraceStatus.COMPLETED)
    assert event.occurred_at == datetime(2020, 8, 14, 1, 1, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps({"event": "other", "id": "1", "status": "completed", "occurred_at": "x"}),
        json.dumps(
            {"event": "trace_request.updated", "id": "1", "status": "lost", "occurred_at": "x"}
        ),
        json.dumps(
            {
                "event": "trace_request.updated",
                "id": "1",
                "status": "completed",
                "occurred_at": "2020-08-14T08:01:05",  # no offset
            }
        ),
    ],
)
def test_parse_webhook_refuses_what_is_not_an_event(body):
    with pytest.raises(BluezoneProtocolError):
        parse_webhook(body if isinstance(body, bytes) else body.encode())


def test_retry_after_reads_seconds_and_http_dates():
    in_ten = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)

    assert retry_after_seconds("3") == 3
    assert 8 <= retry_after_seconds(in_ten) <= 10
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_backoff_is_full_jitter_capped():
    client = BluezoneClient(
        base_url="http://127.0.0.1:9",
        api_key="k",
        backoff=0.5,
        backoff_max=3,
        rng=random.Random(1),
    )
    with client:
        waits = {attempt: [client._backoff(attempt) for _ in range(200)] for attempt in (1, 2, 6)}

    assert all(0 <= w <= 0.5 for w in waits[1])
    assert all(0 <= w <= 1.0 for w in waits[2])
    assert all(0 <= w <= 3 for w in waits[6]) and max(waits[6]) > 2
    assert len(set(waits[1])) > 100
