"""gunicorn on a free loopback port, configured as in production (DEBUG off, a secret key,
whitenoise with the manifest storage), for the benchmark to measure from outside."""

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx
from django.conf import settings
from django.db import connection


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the database this process uses (the test database under pytest)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


class Server:
    """`with Server(workers=3) as server:` ... `server.base_url`. The process is stopped by
    its own pid on exit."""

    def __init__(self, *, workers: int = 3, env: dict | None = None, log_path: str | None = None):
        self.workers = workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.extra_env = env or {}
        self.log_path = log_path or os.path.join(
            tempfile.gettempdir(), f"bench-gunicorn-{self.port}.log"
        )
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "PYTEST_")) or k == "DJANGO_SETTINGS_MODULE"
        }
        env.update(
            {
                "DEBUG": "false",
                # The sessions the benchmark creates are signed with this process's key.
                "SECRET_KEY": settings.SECRET_KEY or secrets.token_urlsafe(50),
                "DATABASE_URL": database_url(),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SECURE_COOKIES": "false",
                "SECURE_HSTS_SECONDS": "0",
                "LOG_LEVEL": "WARNING",
                "CONN_MAX_AGE": "600",
                "DJANGO_SETTINGS_MODULE": "tracing_portal.settings",
            }
        )
        env.update(self.extra_env)
        return env

    def collectstatic(self) -> None:
        """The manifest whitenoise serves with DEBUG off (written to STATIC_ROOT once)."""
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        if manifest.exists():
            return
        subprocess.run(  # noqa: S603 - our own manage.py with a fixed argument list
            [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "collectstatic",
                "--noinput",
                "-v",
                "0",
            ],  # fmt: skip
            env=self.environment(),
            check=True,
            cwd=settings.BASE_DIR,
        )

    def __enter__(self) -> "Server":
        self.collectstatic()
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self._log = log
        self.process = subprocess.Popen(  # noqa: S603 - a fixed argument list
            [
                sys.executable,
                "-m",
                "gunicorn",
                "tracing_portal.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
            ],  # fmt: skip
            env=self.environment(),
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                httpx.get(f"{self.base_url}/accounts/login/", timeout=5)
                return self
            except httpx.HTTPError:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log_path}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()
