"""Load the demo: a Hải Dương investigation as it looked in August 2020.

Each app that has something to show contributes a `demo.seed(stdout=...)` function; they
run in dependency order. Running the command twice changes nothing.
"""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

DEMO_MODULES = [
    "tracing_portal.accounts.demo",
    "tracing_portal.cases.demo",
    "tracing_portal.bluezone.demo",
    "tracing_portal.notifications.demo",
    "tracing_portal.stats.demo",
    "tracing_portal.exchange.demo",
]


class Command(BaseCommand):
    help = "Load demo users and a realistic Hải Dương investigation (idempotent)."

    def handle(self, *args, **options):
        # No server runs while the demo loads: Bluezone's sandbox answers in-process, and a
        # trace's history is matched at once.
        with override_settings(
            BLUEZONE_SANDBOX_TRANSPORT="wsgi", BLUEZONE_SANDBOX_MATCHING_SECONDS=0
        ):
            self._seed()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))

    def _seed(self):
        for dotted in DEMO_MODULES:
            try:
                module = import_module(dotted)
            except ModuleNotFoundError as exc:
                if exc.name == dotted:
                    continue
                raise
            with transaction.atomic():
                module.seed(stdout=self.stdout)
