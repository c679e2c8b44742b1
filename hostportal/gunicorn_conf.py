"""gunicorn's settings (the Docker image's command: `gunicorn -c hostportal/gunicorn_conf.py
hostportal.wsgi`), each from the environment; docs/deployment.md explains the sizing.

Threads rather than many processes: a request mostly waits on PostgreSQL, and each thread holds one
database connection, so connections = replicas x GUNICORN_WORKERS x GUNICORN_THREADS (keep that under
PostgreSQL's max_connections, 100 by default). The request lines (gunicorn.access) and gunicorn's own
messages go through settings.LOGGING: masked, and JSON with LOG_FORMAT=json.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, for the import below

from hostportal import settings  # noqa: E402 (needs the path above)


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = f"0.0.0.0:{_int('PORT', 8000)}"
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", 2)
threads = _int("GUNICORN_THREADS", 4)
# A request slower than this is killed (its worker restarted): the slowest page answers in well under 1 s.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# A worker is replaced after this many requests (and a random part of 10 %): a slow leak never grows.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
# The heartbeat file on a RAM disk: on an overlay file system a slow disk can get a living worker killed.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108 (gunicorn's advice)
# X-Forwarded-* believed from these addresses only (the TLS proxy); "*" inside a private network.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Setting logconfig_dict also turns the access log on (gunicorn.access, masked by settings.LOGGING).
logconfig_dict = settings.LOGGING
# No control socket (gunicorn 27 opens one under $HOME by default): nothing here uses it.
control_socket_disable = True
