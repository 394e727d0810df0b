"""A small, bounded HTTP load generator: threads with their own connection, each sending
requests from a list until a request count or a time limit is reached, timing each
response from the first byte sent to the last byte read.

It speaks HTTP with the standard library's http.client: it shares the machine's two cores
with the server it measures, and httpx cost 1.25 ms of CPU per request against 0.55 ms for
http.client (measured on the API list), CPU the server then did not have.

It only ever targets the loopback server the benchmark started.
"""

import http.client
import itertools
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")
URL_SAFE = ":/?#[]@!$&'()*+,;=%"  # reserved characters, and escapes already made


@dataclass(frozen=True)
class Request:
    url: str  # a path, e.g. /cases/?q=nguyen
    headers: dict = field(default_factory=dict)
    label: str = ""


@dataclass
class Result:
    name: str
    concurrency: int
    latencies: list[float]  # seconds, of successful responses
    errors: list[str]
    wall_seconds: float

    @property
    def count(self) -> int:
        return len(self.latencies) + len(self.errors)

    @property
    def throughput(self) -> float:
        return self.count / self.wall_seconds if self.wall_seconds else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1] * 1000

    def summary(self) -> dict:
        return {
            "name": self.name,
            "requests": self.count,
            "errors": len(self.errors),
            "concurrency": self.concurrency,
            "p50_ms": round(self.percentile(50), 1),
            "p95_ms": round(self.percentile(95), 1),
            "p99_ms": round(self.percentile(99), 1),
            "throughput_rps": round(self.throughput, 1),
            "seconds": round(self.wall_seconds, 1),
        }


def _check_loopback(base_url: str) -> None:
    host = urlsplit(base_url).hostname or ""
    if host not in LOOPBACK and not host.startswith("127."):
        raise ValueError(f"The load generator only targets loopback servers, not {host!r}.")


def _address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def _get(connection: http.client.HTTPConnection, request: Request) -> int:
    """GET the request on the connection and read the whole body; the status code. The
    connection reopens itself when the server closed it (gunicorn's sync workers close
    after each response)."""
    # Spaces and Vietnamese letters in a search are sent percent-encoded, as a browser does.
    connection.request("GET", quote(request.url, safe=URL_SAFE), headers=request.headers)
    response = connection.getresponse()
    response.read()
    return response.status


def run(
    name: str,
    base_url: str,
    requests: Sequence[Request],
    *,
    concurrency: int,
    max_requests: int,
    max_seconds: float,
    think: tuple[float, float] = (0.0, 0.0),
    warmup: int = 0,
    shuffle_seed: int | None = 1,
    timeout: float = 30.0,
) -> Result:
    """Send the requests (cycled) from `concurrency` threads until `max_requests` have been
    sent or `max_seconds` have passed. `think` is a pause range between a thread's
    requests (a user reading the page). `warmup` requests are sent first and not counted."""
    _check_loopback(base_url)
    if not requests:
        raise ValueError("No requests to send.")
    order = list(requests)
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(order)
    host, port = _address(base_url)
    warm = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        for request in order[:warmup]:
            _get(warm, request)
    finally:
        warm.close()

    lock = threading.Lock()
    source = itertools.cycle(order)
    sent = [0]
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + max_seconds

    def next_request() -> Request | None:
        with lock:
            if sent[0] >= max_requests or time.monotonic() >= deadline:
                return None
            sent[0] += 1
            return next(source)

    def worker(index: int) -> None:
        rng = random.Random(index)
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            while (request := next_request()) is not None:
                started = time.perf_counter()
                try:
                    status = _get(connection, request)
                    elapsed = time.perf_counter() - started
                    if status >= 300:
                        with lock:
                            errors.append(f"{status} {request.url}")
                    else:
                        with lock:
                            latencies.append(elapsed)
                except (OSError, http.client.HTTPException) as exc:
                    connection.close()  # the next request opens a new one
                    with lock:
                        errors.append(f"{type(exc).__name__} {request.url}")
                if think[1] > 0:
                    time.sleep(rng.uniform(*think))
        finally:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max_seconds + timeout + 5)
    wall = time.perf_counter() - started
    return Result(name, concurrency, latencies, errors, wall)
