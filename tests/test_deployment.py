"""The deployment (issue 9, item 7): docker-compose.yml is valid Compose (checked against the Compose
Specification's schema, vendored in tests/data: no Docker engine runs here) and has the topology the docs
promise; the Dockerfile installs everything at build time; WhiteNoise serves the static files with DEBUG off.
"""

from __future__ import annotations

import hashlib
import json
import re
import runpy
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from django.core.management import call_command
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "tests" / "data" / "compose-spec.json"
SCHEMA_SHA256 = "89f4bdc4ba651ff024118917a7cdb67d9d78c1af4bab9b12ec2fc85f5b7d90d3"
APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(document, dict)
    return document


def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(compose["services"])


def command_text(service: dict[str, Any]) -> str:
    parts = [service.get(key) or "" for key in ("command", "entrypoint")]
    return " ".join(" ".join(part) if isinstance(part, list) else str(part) for part in parts)


def test_the_vendored_schema_is_the_one_documented() -> None:
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256
    assert json.loads(SCHEMA.read_text())["title"] == "Compose Specification"


def test_the_compose_file_is_valid_against_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft7Validator(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(compose)]
    assert errors == []


def test_the_schema_would_catch_a_mistake(compose: dict[str, Any]) -> None:
    """The validation has teeth: a misspelt key and a bad condition are refused."""
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    broken = json.loads(json.dumps(compose))
    broken["services"]["web"]["healthchek"] = {"test": ["CMD", "true"]}
    broken["services"]["worker"]["depends_on"]["db"]["condition"] = "service_ready"
    assert len(list(validator.iter_errors(broken))) >= 2


def test_the_stack_has_its_services(compose: dict[str, Any]) -> None:
    assert set(services(compose)) == {"migrate", "web", "worker", "beat", "db", "redis", "mailpit"}
    assert services(compose)["db"]["image"] == "postgres:15"
    assert services(compose)["redis"]["image"] == "redis:7"
    assert "mailpit" in services(compose)["mailpit"]["image"]


def test_exactly_one_beat(compose: dict[str, Any]) -> None:
    beats = [name for name, service in services(compose).items() if " beat" in f" {command_text(service)}"]
    assert beats == ["beat"]
    beat = services(compose)["beat"]
    assert beat["deploy"]["replicas"] == 1
    assert "scale" not in beat
    assert "--beat" not in command_text(services(compose)["worker"])  # no second scheduler inside a worker


def test_redis_never_evicts_and_keeps_its_queue(compose: dict[str, Any]) -> None:
    command = command_text(services(compose)["redis"])
    assert re.search(r"--maxmemory-policy\s+noeviction", command)
    assert re.search(r"--appendonly\s+yes", command)
    assert "/data" in " ".join(services(compose)["redis"]["volumes"])


def test_no_runserver_and_no_pip_install_at_start(compose: dict[str, Any]) -> None:
    for name, service in services(compose).items():
        text = command_text(service)
        assert "runserver" not in text and "pip install" not in text, name
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = re.findall(r"^(?:CMD|ENTRYPOINT)\s+(.+)$", dockerfile, flags=re.M)
    assert cmd and all("runserver" not in line and "pip" not in line for line in cmd)


def test_every_service_has_a_healthcheck_or_waits_on_a_condition(compose: dict[str, Any]) -> None:
    for name, service in services(compose).items():
        healthcheck = service.get("healthcheck", {})
        has_check = bool(healthcheck.get("test")) and not healthcheck.get("disable")
        conditions = [dep.get("condition") for dep in (service.get("depends_on") or {}).values()]
        assert has_check or (conditions and all(conditions)), name


def test_the_application_starts_after_its_dependencies_and_the_migration(compose: dict[str, Any]) -> None:
    for name in ("web", "worker", "beat"):
        depends = services(compose)[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
    migrate = services(compose)["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--no-input"]
    assert migrate["restart"] == "no"
    assert command_text(services(compose)["web"]).startswith("gunicorn ")


def test_the_application_gets_the_production_settings_of_env_example(compose: dict[str, Any]) -> None:
    text = (ROOT / ".env.example").read_text()
    section = text[text.index("# --- Production") :]
    production = dict(re.findall(r"^# ([A-Z][A-Z0-9_]+)=(\S*)$", section, flags=re.M))
    production.pop("SESSION_COOKIE_AGE", None)  # has a default; optional
    for name in APP_SERVICES:
        environment = services(compose)[name]["environment"]
        assert set(production) <= set(environment), (name, set(production) - set(environment))
        assert environment["DEBUG"] == "false"
        assert environment["LOG_FORMAT"] == "json"
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
        assert re.match(r"postgres://hostportal:.+@db:5432/hostportal$", environment["DATABASE_URL"])
        assert environment["EMAIL_URL"].endswith("smtp://mailpit:1025}")
        # "$$" is Compose's literal "$": the container sees the pattern of .env.example
        exempt = environment["SECURE_REDIRECT_EXEMPT"].replace("$$", "$")
        assert exempt == production["SECURE_REDIRECT_EXEMPT"] == "^health/$"
        assert ":?" in environment["SECRET_KEY"]  # no default: Compose stops when it is not set


def test_the_dockerfile_builds_everything_and_runs_unprivileged() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM\s", dockerfile, flags=re.M)) >= 2  # a build stage and a slim runtime
    assert re.search(r"^RUN .*pip install .*-r /tmp/requirements.txt", dockerfile, flags=re.M)
    assert "manage.py compile_translations" in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    users = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.M)
    assert users and users[-1] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*hostportal\.health", dockerfile, flags=re.M)
    command = '["gunicorn", "-c", "hostportal/gunicorn_conf.py", "hostportal.wsgi"]'
    assert f"\nCMD {command}\n" in dockerfile
    assert "STATIC_MANIFEST=true" in dockerfile and "LOG_FORMAT=json" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "var/"} <= set(ignored)


def test_gunicorn_reads_its_sizing_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "8")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")
    monkeypatch.setenv("PORT", "9000")
    conf = runpy.run_path(str(ROOT / "hostportal" / "gunicorn_conf.py"))
    assert (conf["workers"], conf["threads"], conf["timeout"], conf["bind"]) == (3, 8, 45, "0.0.0.0:9000")
    assert conf["worker_class"] == "gthread"
    from django.conf import settings

    assert conf["logconfig_dict"]["handlers"].keys() == settings.LOGGING["handlers"].keys()
    assert "gunicorn.access" in conf["logconfig_dict"]["loggers"]


@pytest.mark.django_db
def test_whitenoise_serves_the_static_files_with_debug_off(settings: Any, tmp_path: Path) -> None:
    """As in the image: collectstatic with hashed, compressed names, then gunicorn's Django (DEBUG off)
    serves the API docs page's Swagger UI (drf-spectacular-sidecar) and the admin's CSS itself."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="(/static/drf_spectacular_sidecar/[^"]+)"', page.content.decode())
    assert assets and all(re.search(r"\.[0-9a-f]{12}\.(?:js|css|png)$", url) for url in assets), assets
    from django.templatetags.static import static

    for url in [*assets, static("admin/css/base.css")]:
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, url
        assert "immutable" in response["Cache-Control"], url
    assert client.get("/static/admin/css/base.css").status_code == 200  # unhashed names too
