"""Print the current code of the demo authenticator (the demo users' second step)."""

import time

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP

from tracing_portal.accounts.demo import DEMO_TOTP_SECRET, demo_totp_key_hex


class Command(BaseCommand):
    help = "Print the current 6-digit code of the demo authenticator (public demo secret)."

    def handle(self, *args, **options):
        totp = TOTP(bytes.fromhex(demo_totp_key_hex()))
        left = 30 - int(time.time()) % 30
        self.stdout.write(f"{totp.token():06d}")
        self.stderr.write(f"(demo key {DEMO_TOTP_SECRET}; valid for about {left} more seconds)")
