"""Faults the sandbox can inject into its /v1/ API, and a log of the calls it answered.

`settings.BLUEZONE_SANDBOX_FAULTS` (env `BLUEZONE_SANDBOX_FAULTS`, JSON) holds:
  latency_ms         added to every call
  error_rate         share of calls answered 502 or 503
  rate_limit_rate    share answered 429 with Retry-After: retry_after seconds (default 1)
  timeout_rate       share that sleep timeout_seconds (default 30) before answering
  lose_webhook_rate  share of webhooks recorded as lost and never sent
  seed               seed of the faults' random draws (default: BLUEZONE_SANDBOX_SEED)
The draws restart from the seed whenever the setting changes, so a test is repeatable.
"""

import json
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_lock = threading.Lock()
_rngs: dict[str, tuple[str, random.Random]] = {}


def config() -> dict:
    return dict(getattr(settings, "BLUEZONE_SANDBOX_FAULTS", None) or {})


def _rng(stream: str, conf: dict) -> random.Random:
    key = json.dumps(conf, sort_keys=True, default=str)
    current = _rngs.get(stream)
    if current is None or current[0] != key:
        seed = conf.get("seed", getattr(settings, "BLUEZONE_SANDBOX_SEED", 2020))
        current = (key, random.Random(f"bluezone-sandbox:faults:{stream}:{seed}"))
        _rngs[stream] = current
    return current[1]


def draw(stream: str, rate: float) -> bool:
    """True for a share `rate` of the draws; no draw is taken when the rate is 0."""
    if not rate or rate <= 0:
        return False
    with _lock:
        return _rng(stream, config()).random() < rate


def choice(stream: str, options):
    with _lock:
        return _rng(stream, config()).choice(options)


def reset() -> None:
    with _lock:
        _rngs.clear()


@receiver(setting_changed)
def _reset_on_change(*, setting, **kwargs):
    if setting in ("BLUEZONE_SANDBOX_FAULTS", "BLUEZONE_SANDBOX_SEED"):
        reset()


@dataclass
class Fault:
    kind: str  # "error", "rate_limit" or "timeout"
    status: int = 0
    retry_after: int = 0
    sleep: float = 0.0


def api_fault() -> Fault | None:
    """Apply the latency, then decide whether this API call fails, and how."""
    conf = config()
    latency = float(conf.get("latency_ms") or 0)
    if latency > 0:
        time.sleep(latency / 1000)
    if draw("error", float(conf.get("error_rate") or 0)):
        return Fault("error", status=choice("error", (502, 503)))
    if draw("rate_limit", float(conf.get("rate_limit_rate") or 0)):
        return Fault("rate_limit", status=429, retry_after=int(conf.get("retry_after", 1)))
    if draw("timeout", float(conf.get("timeout_rate") or 0)):
        return Fault("timeout", sleep=float(conf.get("timeout_seconds", 30)))
    return None


def lose_webhook() -> bool:
    return draw("webhook", float(config().get("lose_webhook_rate") or 0))


@dataclass
class Call:
    method: str
    path: str
    fault: str = ""
    status: int | None = None
    at: float = field(default_factory=time.monotonic)
    finished: threading.Event = field(default_factory=threading.Event)


class CallLog:
    """The API calls this process answered, newest last (kept in memory, bounded)."""

    def __init__(self, size: int = 2000):
        self._calls: deque[Call] = deque(maxlen=size)
        self._lock = threading.Lock()

    def start(self, method: str, path: str) -> Call:
        call = Call(method, path)
        with self._lock:
            self._calls.append(call)
        return call

    def calls(self, path_contains: str = "") -> list[Call]:
        with self._lock:
            return [c for c in self._calls if path_contains in c.path]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until every logged call has been answered (a timeout fault sleeps on)."""
        deadline = time.monotonic() + timeout
        for call in self.calls():
            if not call.finished.wait(max(0.0, deadline - time.monotonic())):
                return False
        return True


call_log = CallLog()
