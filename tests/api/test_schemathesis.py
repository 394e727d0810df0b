"""Property-based check of the whole API against its own OpenAPI schema (schemathesis):
no 5xx, and every answer (status, content type, headers, body) is what the schema says.

Runs in-process against the Django WSGI app, with a real token of a user who is both CDC and
DIC (so most operations get past their permission), EXAMPLES_PER_OPERATION random examples
per operation (valid and invalid), and a fixed seed so a failure replays. About 30 s for the
30 operations. The schema is generated at import, as the schema view does (schemathesis's
lazy `from_fixture` loader does not run under pytest 9); test_schema.py checks they agree.
"""

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tracing_portal.accounts.roles import Role

from .factories import PersonFactory
from .openapi import openapi_schema
from .test_matrix import world

EXAMPLES_PER_OPERATION = 10
# What this test promises: no 5xx, and every answer as the schema says. (Schemathesis's
# checks that the schema alone predicts acceptance, e.g. an existing district, are left out.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


class InProcessApp:
    """The WSGI app without closing the test's database connection at each request's end
    (as Django's test client does)."""

    def __init__(self):
        self.app = WSGIHandler()

    def __call__(self, environ, start_response):
        from django.core import signals
        from django.db import close_old_connections

        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            body = self.app(environ, start_response)
            chunks = list(body)
            if hasattr(body, "close"):
                body.close()
            return chunks
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_user(make_user):
    user = make_user(Role.CDC)
    user.groups.add(Group.objects.get(name=Role.DIC))
    return user


@pytest.fixture
def api_headers(api_user, issue_token, settings):
    settings.API_THROTTLE_RATE = "100000/min"
    return {"Authorization": f"Bearer {issue_token(api_user)}"}


schema = schemathesis.openapi.from_dict(openapi_schema())
schema.app = InProcessApp()
# Random examples only: the coverage phase's boundary cases would take minutes here.
schema.config.phases.coverage.enabled = False


@pytest.fixture(autouse=True)
def records(db):
    # HD-000123 is the schema's example of a person's code: the explicit phase reaches a
    # real person (as a contact of an F0 with a completed trace).
    own = world("30")
    PersonFactory(code="HD-000123", source=own["f0"], verification="pending")
    return own, world("01")


@schema.parametrize()
@seed(20200801)
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_matches_the_schema(case, api_headers):
    case.call_and_validate(headers=api_headers, checks=CHECKS)
