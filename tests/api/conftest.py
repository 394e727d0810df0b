import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tracing_portal.accounts.roles import Role
from tracing_portal.api.services import api_token_issue


@pytest.fixture(autouse=True)
def _api_cache():
    """Throttle counts start from zero in every test."""
    caches["api"].clear()
    yield
    caches["api"].clear()


@pytest.fixture
def issue_token(db):
    """issue_token(user) -> the whole token, issued by an administrator who may."""

    def issue(user, **kwargs):
        admin = UserFactory(role=Role.NATIONAL_ADMIN)
        return api_token_issue(actor=admin, user=user, name="tests", **kwargs).token

    return issue


@pytest.fixture
def api_for(issue_token):
    """api_for(user) -> a DRF APIClient that sends the user's bearer token."""

    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")
        return client

    return make
