"""The tenant-isolation matrix (issue 9, item 2): every route of the project × the personas.

The personas: the manager, the editor and the viewer of organisation A (Acme), the manager of organisation B
(the CHU: the outsider) and an anonymous caller. Organisation A holds one of everything (an intern, a
validated convention with its visa, avenant, carte de séjour application, a document with an uploaded file,
a reminder, a webhook endpoint and delivery, API and calendar tokens, audit entries...). Each route of
tests/isolation_routes.py is built with A's objects and requested with GET and POST (and PATCH and DELETE
for the API's detail routes) by every persona: the portal and the admin with a session, /api/v1/ with an
API token of the persona's role (the outsider also with its session). The rules:

- nobody gets a 500;
- the outsider never gets a 2xx from a route naming one of A's objects (a 404, or the admin's "doesn't
  exist" redirect; a 405 where the method is refused before any lookup), and no answer of any route shows
  them A's distinctive strings (the intern's name, the passport number, the decision reference...);
- the anonymous caller gets a 401 from the API and a redirect to the login page from the portal and the
  admin, except on the public routes (login, password reset, the API's docs, the check contract), which
  show none of A's data either; a wrong calendar token is a 404;
- a write by a role below the route's writer (the viewer everywhere, the editor on the managers' pages, the
  outsider and the anonymous caller everywhere) changes none of A's rows, whatever the status;
- A's roles can read what the table says they read (a status below 400).

Every request runs in a savepoint rolled back at once, so each starts from the same objects, built once
for the module. The test of the table fails when a route is added, renamed or removed without being
classified here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from conventions import services
from conventions.models import (
    Convention,
    DocumentItem,
    Intern,
    LegalParameter,
    ResidencePermitApplication,
    TransitionLog,
)
from conventions.rules.parameters import BUILTIN_PARAMETERS
from hostportal.api.services import api_token_create
from hostportal.models import AuditEntry, Membership, Organisation
from notifications.models import Notification, NotificationStatus, ReminderSettings, WebhookDelivery
from notifications.services.calendars import calendar_token_create
from notifications.services.webhooks import webhook_endpoint_create
from tests.conftest import NOW, TODAY
from tests.factories import (
    InternFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    convention_fields,
)
from tests.isolation_routes import ROUTES, Kind, Route

PERSONAS = ("manager_a", "editor_a", "viewer_a", "manager_b", "anonymous")
ROLE_RANK = {"viewer_a": 0, "editor_a": 1, "manager_a": 2}
WRITER_RANK = {"editor": 1, "manager": 2, "none": 3}
# Organisation A's distinctive strings: none may reach the outsider or an anonymous caller.
INTERN_LAST_NAME = "Quatremaine"
PASSPORT = "QX7719354"
DECISION_REFERENCE = "DREETS-ACME-4242"
WEBHOOK_URL = "https://hooks.acme-isolation.example/hostportal"
A_STRINGS = (INTERN_LAST_NAME, PASSPORT, DECISION_REFERENCE, "acme-isolation", "Acme Robotics")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# DISCOVER=1 prints what every persona gets from every route instead of asserting (to classify a route).
DISCOVER = os.environ.get("ISOLATION_DISCOVER") == "1"


@dataclass
class World:
    """Organisation A's objects (ids by the names of the URL templates) and the personas' credentials."""

    ids: dict[str, Any]
    sessions: dict[str, str]  # persona → session key
    tokens: dict[str, str]  # persona → API secret
    feeds: dict[str, str]  # persona → the calendar token it tries
    organisation_a: int


# --- walking the resolver --------------------------------------------------------------------------------


def walk(
    patterns: list[Any], prefix: str = "", namespaces: tuple[str, ...] = ()
) -> Iterator[tuple[str, str]]:
    """(key, route) of every leaf pattern: the key is the namespaced name, or the full route when nameless."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            full = prefix + str(pattern.pattern)
            yield (":".join((*namespaces, pattern.name)) if pattern.name else full), full


def resolver_routes() -> dict[str, str]:
    return dict(walk(get_resolver().url_patterns))


# --- the objects, built once for the module --------------------------------------------------------------


def _build() -> World:
    acme = OrganisationFactory(name="Acme Robotics", kind=Organisation.Kind.COMPANY)
    chu = OrganisationFactory(name="CHU de Lyon-Est", kind=Organisation.Kind.HEALTH)
    if not LegalParameter.objects.exists():
        # A transactional test flushed the rows seeded by the migrations: put back the built-in table, which
        # the engine uses when the table is empty (conventions.services.evaluation.load_parameters).
        LegalParameter.objects.bulk_create(
            LegalParameter(key=p.key, effective_from=p.effective_from, value=p.value, source=p.source)
            for p in BUILTIN_PARAMETERS
        )

    def member(username: str, organisation: Organisation, role: str) -> Any:
        user = UserFactory(username=username, is_staff=True)  # staff: the admin's tenancy is tested too
        MembershipFactory(user=user, organisation=organisation, role=role)
        return user

    alice = member("iso-alice", acme, Membership.Role.MANAGER)
    erin = member("iso-erin", acme, Membership.Role.EDITOR)
    bob = member("iso-bob", acme, Membership.Role.VIEWER)
    claire = member("iso-claire", chu, Membership.Role.MANAGER)
    users = {"manager_a": alice, "editor_a": erin, "viewer_a": bob, "manager_b": claire}

    intern = InternFactory(
        organisation=acme, first_name="Philomène", last_name=INTERN_LAST_NAME, passport_number=PASSPORT
    )
    convention = services.convention_create(
        actor=alice,
        organisation=acme,
        intern=intern,
        channel="web",
        now=NOW,
        **convention_fields(category="formation_continue", monthly_resources_eur=Decimal("1900.00")),
    )
    services.convention_submit(actor=alice, convention=convention, received_on=dt.date(2026, 11, 2), now=NOW)
    convention = services.convention_record_decision(
        actor=alice,
        convention=convention,
        decision="validated",
        decided_on=dt.date(2026, 11, 20),
        reference=DECISION_REFERENCE,
        now=NOW,
    )
    visa = services.visa_apply(actor=alice, visa=convention.visa.pk, applied_on=TODAY, now=NOW)
    visa = services.visa_record_decision(
        actor=alice, visa=visa, decision="issued", decided_on=TODAY, expires_on=dt.date(2028, 3, 1), now=NOW
    )
    avenant = services.avenant_create(
        actor=alice, convention=convention, requested_end_date=dt.date(2027, 11, 30), now=NOW
    )
    services.avenant_submit(actor=alice, avenant=avenant, received_on=dt.date(2026, 11, 21), now=NOW)
    avenant = services.avenant_record_decision(
        actor=alice, avenant=avenant, decision="validated", decided_on=TODAY, now=NOW
    )
    permit = ResidencePermitApplication.objects.get(avenant=avenant)
    document = DocumentItem.objects.filter(convention=convention).order_by("pk").first()
    assert document is not None
    document.file.save("passport.pdf", ContentFile(PDF), save=False)
    document.status = "provided"
    document.save()
    notification = Notification.objects.create(
        organisation=acme,
        idempotency_key=f"isolation-{convention.pk}",
        kind="convention_end",
        file_type="convention",
        object_id=convention.pk,
        convention=convention,
        due_on=TODAY,
        recipient_user=alice,
        recipient_email=alice.email,
        language="en",
        status=NotificationStatus.SENT,
        next_attempt_at=timezone.now(),
        subject=f"End of the stay of {intern}",
        text_body=f"The stay of {intern.first_name} {intern.last_name} ends.",
    )
    webhook, _secret = webhook_endpoint_create(
        actor=alice, organisation=acme, url=WEBHOOK_URL, events=["convention.validated"], channel="web"
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=webhook,
        organisation=acme,
        event="convention.validated",
        idempotency_key="isolation-1",
        payload={"event": "convention.validated", "reference": DECISION_REFERENCE},
        status="failed",
        next_attempt_at=timezone.now(),
    )
    tokens = {
        "manager_a": api_token_create(
            actor=alice, organisation=acme, name="acme-isolation M", role="manager"
        ),
        "editor_a": api_token_create(actor=alice, organisation=acme, name="acme-isolation E", role="editor"),
        "viewer_a": api_token_create(actor=alice, organisation=acme, name="acme-isolation V", role="viewer"),
        "manager_b": api_token_create(actor=claire, organisation=chu, name="CHU SIRH", role="manager"),
    }
    feed_a = calendar_token_create(actor=alice, organisation=acme, label="acme-isolation feed")
    feed_b = calendar_token_create(actor=claire, organisation=chu, label="CHU feed")
    reminder_settings, _created = ReminderSettings.objects.get_or_create(organisation=acme)
    group = Group.objects.create(name="isolation-group")
    attempt = AccessAttempt.objects.create(username="iso-bob", ip_address="192.0.2.1", failures_since_start=1)
    access_log = AccessLog.objects.create(username="iso-bob", ip_address="192.0.2.1")
    failure = AccessFailureLog.objects.create(username="iso-bob", ip_address="192.0.2.1")

    legal_parameter = LegalParameter.objects.order_by("pk").first()
    assert legal_parameter is not None

    def history_id(model: Any, obj: Any) -> int:
        if not model.history.filter(id=obj.pk).exists():
            obj.save()  # a row seeded by a migration has no history yet
        return int(
            model.history.filter(id=obj.pk).order_by("history_id").values_list("history_id", flat=True)[0]
        )

    history_ids = {
        name: history_id(model, obj)
        for name, model, obj in (
            ("intern", Intern, intern),
            ("convention", Convention, convention),
            ("avenant", type(avenant), avenant),
            ("visaapplication", type(visa), visa),
            ("legalparameter", LegalParameter, legal_parameter),
        )
    }
    ids: dict[str, Any] = {
        "org": acme.pk,
        "intern": intern.pk,
        "convention": convention.pk,
        "avenant": avenant.pk,
        "visa": visa.pk,
        "permit": permit.pk,
        "document": document.pk,
        "notification": notification.pk,
        "calendartoken": feed_a.pk,
        "webhook": webhook.pk,
        "delivery": delivery.pk,
        "apitoken": tokens["editor_a"][0].pk,
        "membership": Membership.objects.get(user=erin, organisation=acme).pk,
        "remindersettings": reminder_settings.pk,
        "transitionlog": TransitionLog.objects.filter(organisation=acme).order_by("pk").first().pk,  # type: ignore[union-attr]
        "auditentry": AuditEntry.objects.filter(organisation=acme).order_by("pk").first().pk,  # type: ignore[union-attr]
        "legalparameter": legal_parameter.pk,
        "user": alice.pk,
        "group": group.pk,
        "accessattempt": attempt.pk,
        "accesslog": access_log.pk,
        "accessfailurelog": failure.pk,
        "ct_intern": ContentType.objects.get_for_model(Intern).pk,
        "uid": urlsafe_base64_encode(force_bytes(alice.pk)),
        "token": default_token_generator.make_token(alice),
        **{f"hist_{name}": value for name, value in history_ids.items()},
    }
    sessions = {}
    for persona, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return World(
        ids=ids,
        sessions=sessions,
        tokens={persona: secret for persona, (_token, secret) in tokens.items()},
        feeds={
            "manager_a": feed_a.token,
            "editor_a": feed_a.token,
            "viewer_a": feed_a.token,
            "manager_b": feed_b.token,
            "anonymous": "not-a-calendar-token",
        },
        organisation_a=acme.pk,
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """A's objects, built in a transaction that stays open for the module and is rolled back at its end
    (each test's own transaction is a savepoint inside it, as Django's setUpTestData does)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        kept = set(DocumentItem.objects.exclude(file="").values_list("pk", flat=True))
        try:
            yield _build()
        finally:
            # The rows are rolled back: leave none of their files behind (a failed build's either).
            for item in DocumentItem.objects.exclude(file="").exclude(pk__in=kept):
                item.file.storage.delete(item.file.name)
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- A's rows, fingerprinted ----------------------------------------------------------------------------


def _fingerprint_sql() -> str:
    """One query: a digest of every row of A (and of the legal parameters, shared by all), so that a
    refused write can be told from a silent one. The last use of a token is not a write of the user's."""
    from django.apps import apps

    parts = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or meta.app_label not in ("conventions", "hostportal", "notifications", "api"):
            continue
        columns = [str(f.column) for f in meta.concrete_fields if f.column != "last_used_at"]
        table = connection.ops.quote_name(meta.db_table)
        row = "ROW(" + ", ".join(f"t.{connection.ops.quote_name(c)}" for c in columns) + ")::text"
        if "organisation_id" in columns:
            where = "WHERE t.organisation_id = %(org)s"
        elif meta.db_table.endswith("legalparameter") or meta.db_table == "hostportal_organisation":
            where = ""
        else:
            continue
        digest = f"md5(coalesce(string_agg({row}, '|' ORDER BY t.{columns[0]}), ''))"
        # The names come from the models' metadata, the organisation is a bound parameter.
        parts.append(f"(SELECT {digest} FROM {table} t {where})")  # noqa: S608
    return "SELECT " + " || ".join(parts)


FINGERPRINT_SQL = ""


def fingerprint(organisation_id: int) -> str:
    global FINGERPRINT_SQL
    if not FINGERPRINT_SQL:
        FINGERPRINT_SQL = _fingerprint_sql()
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL, {"org": organisation_id})
        (digest,) = cursor.fetchone()
    return hashlib.sha256(digest.encode()).hexdigest()


# --- the requests ---------------------------------------------------------------------------------------


def surface(url: str) -> str:
    if url.startswith("/api/"):
        return "api"
    if url.startswith("/admin/"):
        return "admin"
    return "portal"


# One client for every request: a new one would load the middleware again (a tenth of the run).
CLIENT = Client(raise_request_exception=False)


def client_for(world: World, persona: str, url: str, session_for_api: bool = False) -> dict[str, str]:
    """Set the shared client's cookies for the persona; the headers to send (an API token)."""
    CLIENT.cookies.clear()
    if persona == "anonymous":
        return {}
    if surface(url) == "api" and not session_for_api:
        return {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[persona]}"}
    CLIENT.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    return {}


@dataclass
class Answer:
    persona: str
    method: str
    url: str
    status: int
    location: str
    body: str
    changed: bool


def send(
    world: World, persona: str, method: str, url: str, *, watch: bool, session_for_api: bool = False
) -> Answer:
    """One request, in a savepoint rolled back at once; with `watch`, whether it changed any of A's rows."""
    headers = client_for(world, persona, url, session_for_api)
    cache.clear()  # the API's and the login's rate limits count in the cache
    request = getattr(CLIENT, method.lower())
    with transaction.atomic():
        before = fingerprint(world.organisation_a) if watch else ""
        if surface(url) == "api" and method in ("PATCH", "DELETE"):  # an empty JSON body
            response = request(url, content_type="application/json", **headers)
        else:
            response = request(url, **headers)
        after = fingerprint(world.organisation_a) if watch else ""
        transaction.set_rollback(True)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return Answer(
        persona=persona,
        method=method,
        url=url,
        status=response.status_code,
        location=response.get("Location", ""),
        body=body.decode("utf-8", "replace"),
        changed=before != after,
    )


def concrete_urls(world: World, spec: Route, persona: str) -> list[str]:
    values = {**world.ids, "feed": world.feeds[persona]}
    return [template.format(**values) for template in spec.urls]


# --- the rules ------------------------------------------------------------------------------------------


def may_write(persona: str, spec: Route) -> bool:
    """Whether the persona's write through this route may change A's rows."""
    if persona not in ROLE_RANK:
        return False
    if spec.writer == "self":
        return True
    return ROLE_RANK[persona] >= WRITER_RANK[spec.writer]


def to_login(answer: Answer) -> bool:
    login = "/admin/login/" if surface(answer.url) == "admin" else "/login/"
    return answer.status == 302 and answer.location.split("?")[0].endswith(login)


def problems(answer: Answer, spec: Route) -> list[str]:
    """What is wrong with one answer under the route's rule (an empty list when nothing is)."""
    found = []
    persona, where = answer.persona, surface(answer.url)
    if answer.status >= 500 and not (answer.status == 503 and answer.url == "/health/"):
        found.append("a server error")
    if answer.method != "GET" and answer.changed and not may_write(persona, spec):
        found.append("a write to A by a role that may not write here")
    outsider = persona in ("manager_b", "anonymous")
    if outsider:
        leaked = [s for s in A_STRINGS if s in answer.body or s in answer.location]
        if leaked:
            found.append(f"A's data in the answer: {leaked}")
    if persona == "manager_b" and spec.kind is Kind.OBJECT:
        if 200 <= answer.status < 300:
            found.append("a 2xx for another organisation's object")
        if where == "admin":
            # The admin's "doesn't exist" redirect goes to its index; a 403 comes before any lookup; its
            # "<id>/" route redirects to "<id>/change/" blindly (no lookup).
            blind = answer.location == answer.url + "change/"
            if answer.status == 302 and answer.location.rstrip("/") not in ("/admin", "") and not blind:
                found.append(f"a redirect to {answer.location}, not the admin's index")
            elif answer.status not in (302, 403, 404, 405):
                found.append("neither a 404 nor the admin's redirect")
        elif answer.status not in (404, 405):
            found.append("not a 404")
    if persona == "anonymous" and spec.kind not in (Kind.PUBLIC, Kind.FEED):
        if where == "api":
            if answer.status not in (401, 404):
                found.append("not a 401")
        elif not to_login(answer) and answer.status not in (403, 404, 405):
            found.append("not a redirect to the login page")
    if spec.kind is Kind.FEED and persona == "anonymous" and answer.status not in (404, 405):
        found.append("a wrong calendar token is not a 404")
    if (
        spec.kind is Kind.OPERATOR
        and persona != "anonymous"
        and answer.method == "GET"
        and answer.status < 300
    ):
        found.append("an operator's page open to a member")
    if answer.method == "GET" and persona in spec.reads and answer.status >= 400:
        found.append(f"{persona} cannot read it")
    return found


def answers_for(world: World, key: str, spec: Route) -> Iterator[Answer]:
    methods = ["GET", "POST"] + (["PATCH", "DELETE"] if spec.api_detail else [])
    for persona in PERSONAS:
        for url in concrete_urls(world, spec, persona):
            for method in methods:
                # Only a write by someone who may not write here is watched (one query before, one after).
                yield send(
                    world, persona, method, url, watch=method != "GET" and not may_write(persona, spec)
                )
            if persona == "manager_b" and surface(url) == "api":
                yield send(world, persona, "GET", url, watch=False, session_for_api=True)


# --- the tests ------------------------------------------------------------------------------------------


def test_every_route_is_classified() -> None:
    """A new route breaks this test until it is added to tests/isolation_routes.py with its rule."""
    found = resolver_routes()
    assert sorted(set(found) - set(ROUTES)) == [], "routes to classify in tests/isolation_routes.py"
    assert sorted(set(ROUTES) - set(found)) == [], "routes of the table that no longer exist"


@pytest.mark.django_db
def test_the_table_builds_each_route(world: World) -> None:
    """Each URL of the table reaches the route it classifies (not a neighbour or a catch-all)."""
    routes = resolver_routes()
    wrong = []
    for key, spec in ROUTES.items():
        for url in concrete_urls(world, spec, "manager_a"):
            match = resolve(url.split("?")[0])
            reached = match.view_name if match.url_name else match.route
            if reached != key and routes.get(key) != match.route:
                wrong.append((key, url, reached))
    assert wrong == []


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(ROUTES))
def test_isolation(world: World, key: str) -> None:
    spec = ROUTES[key]
    report = []
    for answer in answers_for(world, key, spec):
        if DISCOVER:
            print(
                f"\n{key} {answer.persona:10} {answer.method:6} {answer.status} {answer.location[:50]}"
                f"{' CHANGED' if answer.changed else ''} {answer.url}"
            )
        for problem in problems(answer, spec):
            report.append(f"{answer.persona} {answer.method} {answer.url} → {answer.status}: {problem}")
    assert report == []
