"""Fixtures for the Bluezone client and its sandbox.

Two ways for a test to reach the sandbox through `get_client()`:

* Over real HTTP: use `bluezone_live` (it yields a client; `get_client()` works too) and mark
  the test `pytest.mark.django_db(transaction=True, serialized_rollback=True)`. The sandbox
  answers from pytest-django's live_server; webhooks go out for real after commit.

* In-process, without a server: use `bluezone_inprocess`, or set
  `settings.BLUEZONE_SANDBOX_TRANSPORT = "wsgi"` and `settings.SITE_URL = "http://testserver"`
  yourself (an autouse fixture can do it for a whole folder). `get_client()` then calls the
  site's WSGI handler directly, inside the test's transaction, so plain `django_db` tests
  work. Webhooks are sent on commit: in a plain `django_db` test they only go out inside
  `django_capture_on_commit_callbacks(execute=True)`.

Both set fast retries (`BLUEZONE_BACKOFF_SECONDS=0.01`) and instant matching
(`BLUEZONE_SANDBOX_MATCHING_SECONDS=0`): the F0's code, entered with
`scenario.enter_code(msisdn, code)`, completes the trace at once.
"""

import json
import queue
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tracing_portal.bluezone.client import get_client
from tracing_portal.bluezone.sandbox import scenario
from tracing_portal.bluezone.sandbox.faults import call_log
from tracing_portal.bluezone.sandbox.services import cancel_timers

F0 = "84912345678"
OTHER = "84987654321"


@pytest.fixture
def bluezone_fast(settings):
    settings.BLUEZONE_TIMEOUT_SECONDS = 5
    settings.BLUEZONE_MAX_ATTEMPTS = 4
    settings.BLUEZONE_BACKOFF_SECONDS = 0.01
    settings.BLUEZONE_BACKOFF_MAX_SECONDS = 2
    settings.BLUEZONE_SANDBOX_MATCHING_SECONDS = 0
    settings.BLUEZONE_SANDBOX_FAULTS = {}
    settings.BLUEZONE_SANDBOX_SEED = 2020
    return settings


@pytest.fixture
def bluezone_live(live_server, settings, bluezone_fast):
    """A client that talks to the sandbox over HTTP, served by the live server."""
    settings.SITE_URL = live_server.url
    settings.BLUEZONE_SANDBOX_TRANSPORT = "http"
    call_log.clear()
    client = get_client()
    yield client
    client.close()
    # Calls still sleeping in a timeout fault, and pending timers, end before the database.
    call_log.wait_idle(10)
    cancel_timers()


@pytest.fixture
def bluezone_inprocess(db, settings, bluezone_fast):
    """A client that calls the sandbox in-process (no server, the test's transaction)."""
    settings.SITE_URL = "http://testserver"
    settings.BLUEZONE_SANDBOX_TRANSPORT = "wsgi"
    call_log.clear()
    client = get_client()
    yield client
    client.close()
    cancel_timers()


@pytest.fixture
def registered_f0(db):
    scenario.register(F0, province_code="30")
    return F0


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


class WebhookReceiver:
    """A tiny HTTP server on 127.0.0.1 that records what it is sent."""

    def __init__(self, answer_status: int = 204):
        self.received: queue.Queue[Received] = queue.Queue()
        self.answer_status = answer_status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 5

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.received.put(Received(self.path, dict(self.headers.items()), body))
                self.send_response(receiver.answer_status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/bluezone/webhook"

    def take(self, count: int, timeout: float = 5.0) -> list[Received]:
        return [self.received.get(timeout=timeout) for _ in range(count)]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()
