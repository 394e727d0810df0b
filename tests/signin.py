"""Signing in as the portal asks: password, then a real TOTP code for the users who need one.

- `sign_in(page, base_url, user, password)`: the login page in Chromium (Playwright), then
  the code page when the user has (or must have) an authenticator.
- `enroll_totp(user)`: a confirmed authenticator with a random key.
- `totp_code(device)`: the code the user's phone would show now (django_otp.oath), never
  one the device has already accepted.
- `client.force_login(user)` skips the whole sign-in, second step included (the autouse
  fixture in tests/conftest.py marks its session verified). `force_login_password_only`
  stops after the password, to test the second step itself.
"""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracing_portal.accounts.selectors import user_otp_state

_DJANGO_FORCE_LOGIN = Client.force_login


def enroll_totp(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)
    return device


def totp_code(device: TOTPDevice) -> str:
    """The code for the current time step, or the next one if this step's code was used."""
    device.refresh_from_db()
    now_t = (int(time.time()) - device.t0) // device.step + device.drift
    t = max(now_t, device.last_t + 1)
    if t > now_t + device.tolerance:
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.1)
        return totp_code(device)
    return f"{hotp(device.bin_key, t, digits=device.digits):0{device.digits}d}"


def force_login_password_only(client, user) -> None:
    """Signed in with the password only: the second step is still to come."""
    _DJANGO_FORCE_LOGIN(client, user)


def mark_session_verified(client, user) -> None:
    """What the code page does once the code is right: the session remembers the device."""
    if not user_otp_state(user=user):
        return
    device = enroll_totp(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def sign_in(page, base_url, user, password) -> None:
    """Sign in through the pages; the code is typed when the portal asks for one."""
    needs_code = bool(user_otp_state(user=user))
    device = enroll_totp(user) if needs_code else None
    page.goto(f"{base_url}/accounts/login/")
    page.locator("main input[name=username]").fill(user.username)
    page.locator("main input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    if device is not None:
        page.wait_for_url("**/accounts/otp/**")
        page.locator("main input[name=token]").fill(totp_code(device))
        page.locator("main form button[type=submit]").first.click()
    page.wait_for_function("!location.pathname.startsWith('/accounts/')")
