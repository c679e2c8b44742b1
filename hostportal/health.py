"""GET /health/: is this process able to serve? The database answers `SELECT 1` and the Celery broker
accepts a connection (issue 9, docs/deployment.md).

For a load balancer, Docker's HEALTHCHECK and an orchestrator's probes: no authentication, no personal
data, never cached, exempt from the HTTPS redirect by SECURE_REDIRECT_EXEMPT (`^health/$`). 200 with
{"database": "ok", "broker": "ok"}; 503 with "error" for the part that failed (the reason goes to the log,
never to the caller: a connection error can name hosts and users).

`python -m hostportal.health` is the container's HEALTHCHECK: it asks the local server with the Host header
of the first ALLOWED_HOSTS entry (a request to 127.0.0.1 would be refused as a foreign host) and exits 0 on
a 200 only.
"""

from __future__ import annotations

import logging
import os
import sys
import urllib.request

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)
# Seconds a probe waits for the broker: a probe must answer well within Docker's 5 s healthcheck timeout.
BROKER_TIMEOUT = 2


def check_database() -> bool:
    """`SELECT 1` on the default database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as error:  # any failure is "not ready": the reason is logged, the probe answers 503
        logger.warning("health: the database does not answer: %s", error)
        return False


def broker_url() -> str:
    """The URL the web sends tasks to (the Celery app's write URL, falling back to broker_url)."""
    from hostportal.celery import app

    return str(app.conf.broker_write_url or app.conf.broker_url)


def check_broker(url: str | None = None, timeout: int = BROKER_TIMEOUT) -> bool:
    """One connection to the broker (Redis: a PING; the filesystem broker: its folders), one try only."""
    from hostportal.celery import app

    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    try:
        with app.connection_for_write(
            url or broker_url(), connect_timeout=timeout, transport_options=options
        ) as conn:
            # One retry, at once (no back-off): a probe answers within its own deadline.
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
            return True
    except Exception as error:  # refused, timed out, bad credentials: "not ready", logged for the operator
        logger.warning("health: the broker does not answer: %s", error)
        return False


@csrf_exempt  # a POST is answered 405 (wrong method), not 403 (no CSRF token): it is never a form
@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker both answer, 503 naming the one that does not."""
    checks = {
        "database": "ok" if check_database() else "error",
        "broker": "ok" if check_broker() else "error",
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)


def probe_host() -> str:
    """The Host header the probe sends: the first ALLOWED_HOSTS entry, "localhost" for a wildcard."""
    first = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".")
    return first if first and first != "*" else "localhost"


def probe(port: int, timeout: float = 5.0) -> int:
    """GET http://127.0.0.1:<port>/health/ as the container's HEALTHCHECK; the exit status (0: healthy)."""
    request = urllib.request.Request(  # noqa: S310 (a fixed http URL on the loopback)
        f"http://127.0.0.1:{port}/health/", headers={"Host": probe_host()}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except OSError as error:  # urllib's HTTPError (the 503) is an OSError too
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(probe(int(os.environ.get("PORT", "8000"))))
