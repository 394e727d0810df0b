import os
import shutil

import pytest

from tracing_portal.accounts.roles import Role

from .factories import PASSWORD, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# fixtures in that thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(
            "CI needs Chromium for the browser tests (apt-get install chromium)."
        )
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Tasks run eagerly in tests, unless the test asks for a real worker."""
    from tracing_portal.celery import app

    eager = "celery_worker" not in request.keywords
    old = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = old


@pytest.fixture(scope="session")
def _migrated_data(django_db_setup, django_db_blocker):
    """What the migrations put in the database (provinces, districts, role groups, SMS
    templates...), taken once as Django's test serializer does."""
    from django.db import connection

    with django_db_blocker.unblock():
        return connection.creation.serialize_db_to_string()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """A transactional test may start from a flushed database: put back what migrations
    loaded before the test runs."""
    if not ({"transactional_db", "live_server"} & set(request.fixturenames)):
        marker = request.node.get_closest_marker("django_db")
        if not (marker and marker.kwargs.get("transaction")):
            return
    snapshot = request.getfixturevalue("_migrated_data")
    request.getfixturevalue("transactional_db")
    from django.db import connection

    from tracing_portal.geo.models import Province

    if not Province.objects.exists():
        from django.core.management import call_command

        # post_migrate may have recreated some rows (groups, permissions) with new ids.
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(snapshot)


@pytest.fixture(autouse=True)
def _bluezone_in_process(settings):
    """Tests reach the Bluezone sandbox in-process, with fast retries and instant matching;
    tests over real HTTP point SITE_URL at the live server themselves (bluezone_live)."""
    settings.BLUEZONE_SANDBOX_TRANSPORT = "wsgi"
    settings.BLUEZONE_SANDBOX_MATCHING_SECONDS = 0
    settings.BLUEZONE_BACKOFF_SECONDS = 0.01
    settings.BLUEZONE_BACKOFF_MAX_SECONDS = 0.5
    settings.BLUEZONE_SANDBOX_FAULTS = {}
    # Nothing listens on the discard port: the sandbox's webhooks are refused at once.
    settings.SITE_URL = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def _force_login_includes_the_second_step(monkeypatch):
    """`client.force_login` skips signing in, and so the second step (TOTP) too: its
    session is marked verified as the code page would. Tests of the second step sign in
    through the pages, or with tests.signin.force_login_password_only."""
    from django.test import Client

    from .signin import _DJANGO_FORCE_LOGIN, mark_session_verified

    def force_login(self, user, backend=None):
        _DJANGO_FORCE_LOGIN(self, user, backend)
        mark_session_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def make_user(db):
    def make(role=Role.CDC, province="30", **kwargs):
        if role == Role.NATIONAL_ADMIN:
            province = None
        return UserFactory(role=role, province_id=province, **kwargs)

    return make


@pytest.fixture
def cdc_user(make_user):
    return make_user(Role.CDC)


@pytest.fixture
def police_user(make_user):
    return make_user(Role.POLICE)


@pytest.fixture
def dic_user(make_user):
    return make_user(Role.DIC)


@pytest.fixture
def official_user(make_user):
    return make_user(Role.OFFICIAL)


@pytest.fixture
def province_admin(make_user):
    return make_user(Role.PROVINCE_ADMIN)


@pytest.fixture
def national_admin(make_user):
    return make_user(Role.NATIONAL_ADMIN)
