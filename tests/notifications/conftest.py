import pytest

from tracing_portal.notifications.sandbox.views import reset_fault_counters

from .factories import PersonFactory


@pytest.fixture(autouse=True)
def _sms_settings(settings):
    """The embedded defaults, whatever the environment says: console gateway, no faults."""
    settings.SMS_BACKEND = "console"
    settings.SMS_HTTP_URL = ""
    settings.SMS_SHORT_CODE = "8058"
    settings.SMS_DAILY_CAP_PER_NUMBER = 5
    settings.SMS_DAILY_CAP_PER_OPERATOR = 1000
    settings.SMS_MAX_ATTEMPTS = 4
    settings.SMS_SANDBOX_FAULTS = {}
    reset_fault_counters()


@pytest.fixture
def person(db):
    return PersonFactory(full_name="Nguyễn Thị Hương", code="HD-000123", phone="+84912345678")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what services defer to after commit (the delivery task) inside a test
    transaction."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
