"""Loopback load test (issue 10): gunicorn as the image runs it, `wrk` with 20 connections for 30 s over
the pages and API lists of a signed-in manager and of an operator; every answer must be a 2xx.

Usage: python bench/load.py [--connections 20] [--seconds 30] (DATABASE_URL: a loaded database, e.g. after
`python bench/generate.py --conventions 1000000`). Needs `wrk` (Debian package: scripts/ensure-wrk.sh).
Prints one Markdown table (with --result, a RESULT line of JSON for bench/run.py instead) and exits 1
when any request failed (non-2xx, socket error or timeout). The sessions it opens are deleted at the end,
and so is the operator it creates when the database has none.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hostportal.settings")

PATHS = ["/", "/conventions/", "/interns/", "/api/v1/conventions/", "/api/v1/interns/"]
OPERATOR_PATHS = ["/admin/conventions/convention/", "/admin/conventions/intern/", *PATHS[3:]]
# wrk calls request() for every request: the paths in turn, with the session cookie.
LUA = """
paths = {%(paths)s}
i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["Cookie"] = "sessionid=%(session)s", ["Accept-Language"] = "fr"})
end
"""


@dataclass
class LoadResult:
    who: str
    requests: int
    seconds: float
    failed: int
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def session_for(user: object) -> str:
    """A real session of `user` in the database, as the login view would leave it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)  # type: ignore[attr-defined]
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()  # type: ignore[attr-defined]
    store.create()
    return str(store.session_key)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(
    base: str, who: str, paths: list[str], session: str, connections: int, seconds: int
) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"paths": ", ".join(f'"{path}"' for path in paths), "session": session})
    command = [
        "wrk", f"-c{connections}", f"-t{min(connections, 2)}", f"-d{seconds}s", "--timeout", "10s",
        "--latency", "-s", script.name, base,
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    Path(script.name).unlink()
    done = re.search(r"(\d+) requests in ([\d.]+)(s|m)", out)
    assert done, out
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    failed = sum(int(n) for n in errors.groups()) if errors else 0
    failed += int(non_2xx[1]) if non_2xx else 0
    p50 = re.search(r"50%\s+(\S+)", out)
    p99 = re.search(r"99%\s+(\S+)", out)
    elapsed = float(done[2]) * (60 if done[3] == "m" else 1)
    return LoadResult(
        who,
        int(done[1]),
        elapsed,
        failed,
        milliseconds(p50[1]) if p50 else 0,
        milliseconds(p99[1]) if p99 else 0,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--organisation", type=int, default=None, help="default: the largest organisation")
    parser.add_argument("--result", action="store_true", help="print a RESULT line of JSON (bench/run.py)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: run scripts/ensure-wrk.sh (Debian package wrk).", file=sys.stderr)
        return 2

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from conventions.models import Convention
    from hostportal.models import Membership

    organisation = (
        args.organisation
        or (
            Convention.objects.values("organisation")
            .annotate(n=Count("pk"))
            .order_by("-n")[0]["organisation"]
        )
    )
    manager = Membership.objects.filter(organisation_id=organisation, role="manager").first()
    assert manager is not None, f"organisation {organisation} has no manager"
    operator, created = get_user_model().objects.get_or_create(
        username="bench-operator",
        defaults={"is_staff": True, "is_superuser": True, "email": "ops@bench.example"},
    )
    sessions = [session_for(manager.user), session_for(operator)]
    port = free_port()
    env = {**os.environ, "PORT": str(port), "GUNICORN_WORKERS": os.environ.get("GUNICORN_WORKERS", "2")}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "hostportal/gunicorn_conf.py", "hostportal.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
            time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        results = [
            run_wrk(base, f"manager of organisation {organisation}", PATHS, sessions[0],
                    args.connections, args.seconds),
            run_wrk(base, "operator (every organisation)", OPERATOR_PATHS, sessions[1],
                    args.connections, args.seconds),
        ]  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
        from django.contrib.sessions.models import Session

        Session.objects.filter(session_key__in=sessions).delete()
        if created:
            operator.delete()
    if args.result:
        found = {"connections": args.connections, "seconds": args.seconds, "paths": PATHS}
        found |= {"operator_paths": OPERATOR_PATHS, "results": [asdict(result) for result in results]}
        print("RESULT " + json.dumps(found))
        return 1 if any(result.failed for result in results) else 0
    load = f"{args.connections} connections, {args.seconds} s"
    print(f"| who ({load}) | requests | per second | failed | p50 | p99 |")
    print("|---|---|---|---|---|---|")
    for result in results:
        print(
            f"| {result.who} | {result.requests} | {result.per_second:.0f} | {result.failed} | "
            f"{result.p50_ms:.0f} ms | {result.p99_ms:.0f} ms |"
        )
    return 1 if any(result.failed for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
