"""Load the demo: a Hải Dương investigation as it looked in August 2020.

Each app that has something to show contributes a `demo.seed(stdout=...)` function; they
run in dependency order. Running the command twice changes nothing.
"""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_MODULES = [
    "tracing_portal.accounts.demo",
    "tracing_portal.cases.demo",
    "tracing_portal.bluezone.demo",
    "tracing_portal.notifications.demo",
    "tracing_portal.stats.demo",
]


class Command(BaseCommand):
    help = "Load demo users and a realistic Hải Dương investigation (idempotent)."

    def handle(self, *args, **options):
        for dotted in DEMO_MODULES:
            try:
                module = import_module(dotted)
            except ModuleNotFoundError as exc:
                if exc.name == dotted:
                    continue
                raise
            with transaction.atomic():
                module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
