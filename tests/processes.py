"""Real processes for the tests that need them: Celery workers and beats, gunicorn, a private Redis, an
SMTP server that records what it accepts (and can refuse for a while).

Every process runs on the test database (pytest-django's test_<name>) and is killed at the end of its
test. The shared Redis on 6379 is never stopped: a test that takes Redis away starts its own server on a
free port (`PrivateRedis`).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(
    condition: Callable[[], bool], timeout: float, every: float = 0.05, tick: Callable[[], None] | None = None
) -> bool:
    deadline = time.monotonic() + timeout
    next_tick = 0.0
    while time.monotonic() < deadline:
        if condition():
            return True
        if tick is not None and time.monotonic() >= next_tick:
            tick()
            next_tick = time.monotonic() + 1.0
        time.sleep(every)
    return condition()


def database_url() -> str:
    """The test database (pytest-django's test_<name>), for a subprocess."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def redis_url() -> str:
    configured = os.environ.get("CELERY_BROKER_URL", "")
    return configured if configured.startswith("redis://") else "redis://127.0.0.1:6379/15"


class Sink:
    """An SMTP server that records each message it accepts; it can take its time over DATA, or refuse.

    A message counts as accepted only once its "250" is sent: if the client dies during the delay,
    aiosmtpd cancels the handler and nothing is recorded, as a real server would discard it. While
    `refusing` is set, every message gets "451 4.3.0" (a temporary failure: try again later).
    """

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.refusing = False
        self.refused = 0
        self.messages: list[Message] = []
        self.data_started = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd hook)
        with self.lock:
            self.data_started += 1
            if self.refusing:
                self.refused += 1
                return "451 4.3.0 Mail server busy, try again later"
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def message_ids(self) -> Counter[str]:
        with self.lock:
            return Counter(str(message["Message-ID"]).strip() for message in self.messages)


class SmtpServer:
    """The sink behind a controller that can be stopped (connections refused) and started again."""

    def __init__(self, sink: Sink, port: int) -> None:
        self.sink, self.port = sink, port
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    server = SmtpServer(Sink(), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sink(smtp: SmtpServer) -> tuple[Sink, int]:
    return smtp.sink, smtp.port


class PrivateRedis:
    """A redis-server of this test only, on a free port: it can be stopped and started again (empty)."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction",
            "--dir", str(self.directory),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(self.answers, timeout=10), "the private redis-server did not start"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (scripts/ensure-services.sh installs it)")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


class Processes:
    """Start workers, beats and gunicorn on the test database and one broker; everything killed at the end."""

    def __init__(self, tmp_path: Path, broker_url: str, smtp_port: int | None, extra: dict[str, str]) -> None:
        self.tmp_path = tmp_path
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hostportal.settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}" if smtp_port else "consolemail://",
            "EMAIL_TIMEOUT": "1",
            "NOTIFICATIONS_CLAIM_LEASE_SECONDS": "4",  # must exceed 2 x EMAIL_TIMEOUT
            "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
            "NOTIFICATIONS_RETRY_MAX_SECONDS": "2",
            "HOSTPORTAL_VAR_DIR": str(tmp_path / "var"),
            **extra,
        }

    def spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", *args], cwd=BASE_DIR, env={**self.env, **(env or {})},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.started.append((name, process))
        return process

    def worker(self, name: str = "worker", queues: str | None = None) -> subprocess.Popen[bytes]:
        """A worker, returned once it consumes (a message published to its queue before would be lost)."""
        args = [
            "celery", "-A", "hostportal", "worker", "--pool=solo", "--loglevel=INFO", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "-n", f"{name}@%h",
        ]  # fmt: skip
        process = self.spawn(name, args + ([f"--queues={queues}"] if queues else []))
        ready = wait_for(lambda: f"{name}@" in self.log(name) and " ready." in self.log(name), 60, every=0.2)
        assert ready, self.logs()
        return process

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text(errors="replace")

    def beat(self, name: str = "beat", every: float = 1.0) -> subprocess.Popen[bytes]:
        schedule = self.tmp_path / f"{name}-schedule"
        args = ["celery", "-A", "hostportal", "beat", "--loglevel=INFO", f"--schedule={schedule}"]
        return self.spawn(name, args, env={"HOSTPORTAL_BEAT_EVERY_SECONDS": str(every)})

    def web(self, name: str = "web") -> str:
        """gunicorn, as the Docker image runs it; returns its base URL once it answers."""
        port = free_port()
        args = ["gunicorn", "-c", "hostportal/gunicorn_conf.py", "hostportal.wsgi"]
        self.spawn(name, args, env={"PORT": str(port), "GUNICORN_WORKERS": "2"})
        assert wait_for(lambda: port_open(port), timeout=30, every=0.2), self.logs()
        return f"http://127.0.0.1:{port}"

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}\n" + (self.tmp_path / f"{name}.log").read_text(errors="replace")[-3000:]
            for name, _ in self.started
        )

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        for _, process in self.started:
            self.kill(process)


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False
