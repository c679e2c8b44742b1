"""The table of the tenant-isolation matrix (tests/test_isolation_matrix.py): every route of the project,
how to build a concrete URL of it with organisation A's objects, and which rule it follows.

A route is keyed by its name with its namespaces ("portal:intern", "api:interns-detail"), or by its full
route string when it has no name (the admin's "<path:object_id>/" redirects). The matrix fails when the
resolver holds a route this table does not classify, or the table a route the resolver no longer holds.

The URL templates name the objects of A built by the matrix's fixture: {intern}, {convention}, {avenant},
{visa}, {permit}, {document}, {notification}, {calendartoken}, {webhook}, {delivery}, {apitoken},
{membership} (the editor's), {remindersettings}, {transitionlog}, {auditentry}, {legalparameter}, {org},
{user}, {group}, {accessattempt}, {accesslog}, {accessfailurelog}, {ct_intern} (the content type of an
intern), {hist_<model>} (a change-history row), {uid}/{token} (a password-reset link), {feed} (a calendar
token's secret, chosen per persona).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Kind(enum.Enum):
    """The rule a route follows."""

    # Names one object of A: the outsider gets 404 (the admin: its "doesn't exist" redirect), never 2xx.
    OBJECT = "object"
    # A page or list of the user's own organisation: the outsider may get 2xx, with none of A's data.
    SCOPED = "scoped"
    # Open to anyone (login, password reset, the API's docs, the check contract): none of A's data.
    PUBLIC = "public"
    # The operator's only (auth users and groups, axes' logs): every member is refused.
    OPERATOR = "operator"
    # The calendar feed: the secret in the URL is the credential (A's token for A's roles, the outsider's
    # own token for the outsider, a wrong one for the anonymous caller).
    FEED = "feed"


A_ROLES = ("manager_a", "editor_a", "viewer_a")
ALL_A = frozenset(A_ROLES)
WRITERS = frozenset({"manager_a", "editor_a"})
MANAGER = frozenset({"manager_a"})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Route:
    """urls: the concrete URLs to request (templates, see the module's docstring).
    kind: the rule. reads: which of A's roles must be able to GET it (a status below 400).
    writer: the least role that may write through it ("editor", "manager", "self" for one's own account,
    "none" for nobody but the operator): a lower role's POST, PATCH or DELETE must change nothing of A.
    api_detail: also send PATCH and DELETE."""

    urls: tuple[str, ...]
    kind: Kind
    reads: frozenset[str] = ALL_A
    writer: str = "editor"
    api_detail: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def route(
    *urls: str,
    kind: Kind = Kind.OBJECT,
    reads: frozenset[str] = ALL_A,
    writer: str = "editor",
    api_detail: bool = False,
) -> Route:
    return Route(urls=urls, kind=kind, reads=reads, writer=writer, api_detail=api_detail)


# --- the admin -------------------------------------------------------------------------------------------
# Each registered model: its URL prefix, the object of A its object routes name, the rule of its pages, who
# may read its add page, who writes through it, and the extra routes its ModelAdmin adds.
ADMIN_MODELS: dict[str, dict[str, object]] = {
    "auth_group": {"obj": "group", "kind": Kind.OPERATOR},
    "auth_user": {"obj": "user", "kind": Kind.OPERATOR, "extra": ("password",)},
    "hostportal_organisation": {"obj": "org", "writer": "manager", "add": False},
    "conventions_transitionlog": {"obj": "transitionlog", "writer": "none"},
    "conventions_avenant": {"obj": "avenant", "extra": ("transition", "simple_history"), "hist": True},
    "conventions_documentitem": {"obj": "document", "add": False},
    "conventions_convention": {"obj": "convention", "extra": ("transition", "simple_history"), "hist": True},
    "conventions_intern": {"obj": "intern", "extra": ("simple_history",), "hist": True},
    "conventions_legalparameter": {
        "obj": "legalparameter",
        "extra": ("simple_history",),
        "hist": True,
        "global": True,
        "writer": "none",
    },
    "conventions_residencepermitapplication": {"obj": "permit", "extra": ("transition",), "add": False},
    "conventions_visaapplication": {
        "obj": "visa",
        "extra": ("transition", "simple_history"),
        "hist": True,
        "add": False,
    },
    "notifications_notification": {"obj": "notification", "writer": "none"},
    "notifications_remindersettings": {"obj": "remindersettings", "writer": "manager"},
    "notifications_calendartoken": {"obj": "calendartoken"},
    "notifications_emailpreference": {"obj": "membership", "writer": "manager", "add": False},
    "notifications_webhookendpoint": {"obj": "webhook", "writer": "manager"},
    "notifications_webhookdelivery": {"obj": "delivery", "writer": "manager", "add": False},
    "api_apitoken": {"obj": "apitoken", "writer": "manager"},
    "axes_accessattempt": {"obj": "accessattempt", "kind": Kind.OPERATOR},
    "axes_accesslog": {"obj": "accesslog", "kind": Kind.OPERATOR},
    "axes_accessfailurelog": {"obj": "accessfailurelog", "kind": Kind.OPERATOR},
}

# The transition used by the admin's and the portal's action routes, per kind of file.
ACTION_OF = {"convention": "withdraw", "avenant": "withdraw", "visa": "record_arrival", "permit": "file"}
ADMIN_KIND = {
    "conventions_convention": "convention",
    "conventions_avenant": "avenant",
    "conventions_visaapplication": "visa",
    "conventions_residencepermitapplication": "permit",
}


def _admin_routes() -> dict[str, Route]:
    table: dict[str, Route] = {
        "admin:index": route("/admin/", kind=Kind.SCOPED),
        "admin:login": route("/admin/login/", kind=Kind.PUBLIC),
        # Logging out is anyone's (the anonymous caller is sent to the admin's index).
        "admin:logout": route("/admin/logout/", kind=Kind.PUBLIC, reads=NOBODY, writer="self"),
        "admin:password_change": route("/admin/password_change/", kind=Kind.SCOPED, writer="self"),
        "admin:password_change_done": route("/admin/password_change/done/", kind=Kind.SCOPED),
        # The autocomplete answers 403 without a known field to complete; with one it is scoped.
        "admin:autocomplete": route(
            "/admin/autocomplete/?app_label=conventions&model_name=convention&field_name=intern&term=",
            kind=Kind.SCOPED,
        ),
        "admin:jsi18n": route("/admin/jsi18n/", kind=Kind.SCOPED),
        "admin:view_on_site": route("/admin/r/{ct_intern}/{intern}/", reads=NOBODY),
        "admin:app_list": route(
            "/admin/conventions/",
            "/admin/notifications/",
            "/admin/hostportal/",
            "/admin/api/",
            kind=Kind.SCOPED,
        ),
        "admin/(?P<url>.*)$": route("/admin/no-such-page/", kind=Kind.SCOPED, reads=NOBODY),
    }
    for label, spec in ADMIN_MODELS.items():
        app, model = label.split("_", 1)
        base = f"/admin/{app}/{model}/"
        kind = spec.get("kind", Kind.OBJECT)
        assert isinstance(kind, Kind)
        obj = "{" + str(spec["obj"]) + "}"
        writer = str(spec.get("writer", "editor"))
        operator = kind is Kind.OPERATOR
        reads = NOBODY if operator else ALL_A
        # Rows that only the services create (a visa with its convention, a delivery with its event...) have
        # no add page for members.
        add_reads = (
            NOBODY
            if operator or writer == "none" or spec.get("add") is False
            else (MANAGER if writer == "manager" else WRITERS)
        )
        # A global row (the legal parameters) is every member's to read, the outsider's too.
        object_kind = Kind.SCOPED if spec.get("global") else kind
        list_kind = Kind.OPERATOR if operator else Kind.SCOPED
        table[f"admin:{label}_changelist"] = route(base, kind=list_kind, reads=reads, writer=writer)
        table[f"admin:{label}_add"] = route(base + "add/", kind=list_kind, reads=add_reads, writer=writer)
        table[f"admin:{label}_history"] = route(f"{base}{obj}/history/", kind=object_kind, reads=reads)
        # Nothing is deleted from the admin (files are withdrawn): the delete page is refused to members.
        table[f"admin:{label}_delete"] = route(
            f"{base}{obj}/delete/", kind=object_kind, reads=NOBODY, writer="none"
        )
        table[f"admin:{label}_change"] = route(
            f"{base}{obj}/change/", kind=object_kind, reads=reads, writer=writer
        )
        # Django's redirect of "<object_id>/" to "<object_id>/change/".
        table[f"admin/{app}/{model}/<path:object_id>/"] = route(
            f"{base}{obj}/", kind=object_kind, reads=NOBODY, writer="none"
        )
        extras = spec.get("extra", ())
        if "password" in extras:  # type: ignore[operator]
            table[f"admin:{label}_password_change"] = route(f"{base}{obj}/password/", kind=kind, reads=NOBODY)
        if "transition" in extras:  # type: ignore[operator]
            action = ACTION_OF[ADMIN_KIND[label]]
            table[f"admin:{label}_transition"] = route(
                f"{base}{obj}/transition/{action}/", kind=kind, reads=WRITERS
            )
        if "simple_history" in extras:  # type: ignore[operator]
            table[f"admin:{label}_simple_history"] = route(
                f"{base}{obj}/history/{{hist_{model}}}/", kind=object_kind, reads=reads, writer="none"
            )
    return table


# --- the API ---------------------------------------------------------------------------------------------
API_RESOURCES: dict[str, tuple[str, str]] = {
    # basename: (URL prefix, object of A)
    "interns": ("interns", "intern"),
    "conventions": ("conventions", "convention"),
    "avenants": ("avenants", "avenant"),
    "visas": ("visas", "visa"),
    "residence-permit-applications": ("residence-permit-applications", "permit"),
    "documents": ("documents", "document"),
    "notifications": ("notifications", "notification"),
    "audit-transitions": ("audit/transitions", "transitionlog"),
    "audit-entries": ("audit/entries", "auditentry"),
    "webhooks": ("webhooks", "webhook"),
    "webhook-deliveries": ("webhook-deliveries", "delivery"),
}
# The actions of the registry on each file, by URL prefix (hostportal/api/actions.py).
API_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "conventions": (
        "convention",
        (
            "submit",
            "mark-not-required",
            "request-documents",
            "receive-documents",
            "validate",
            "refuse",
            "withdraw",
            "set-documents-due",
            "record-acknowledgment",
            "record-decision",
            "correct",
        ),
    ),
    "avenants": (
        "avenant",
        (
            "submit",
            "request-documents",
            "receive-documents",
            "validate",
            "refuse",
            "withdraw",
            "set-documents-due",
            "record-acknowledgment",
            "record-decision",
            "correct",
        ),
    ),
    "visas": (
        "visa",
        (
            "apply",
            "issue",
            "refuse",
            "record-arrival",
            "record-ofii-validation",
            "set-validity",
            "record-decision",
            "correct",
        ),
    ),
    "residence-permit-applications": (
        "permit",
        ("file", "grant", "refuse", "record-complete", "record-decision", "correct"),
    ),
}
# Who reads what through the API: the audit entries and the webhooks are the managers'.
API_READS: dict[str, frozenset[str]] = {"audit-entries": MANAGER}
API_WRITER: dict[str, str] = {
    "webhooks": "manager",
    "webhook-deliveries": "manager",
    "audit-entries": "none",
    "audit-transitions": "none",
    "notifications": "none",
}


def _api_routes() -> dict[str, Route]:
    table: dict[str, Route] = {
        "api:root": route("/api/v1/", kind=Kind.SCOPED),
        "api:check": route("/api/v1/check", kind=Kind.PUBLIC, reads=NOBODY),
        "api:schema": route("/api/v1/schema/", kind=Kind.PUBLIC),
        "api:docs": route("/api/v1/docs/", kind=Kind.PUBLIC),
        "api:redoc": route("/api/v1/redoc/", kind=Kind.PUBLIC),
        "api:not-found": route("/api/v1/no-such-resource/", kind=Kind.SCOPED, reads=NOBODY),
        "api:documents-file": route("/api/v1/documents/{document}/file/"),
        "api:webhook-deliveries-resend": route(
            "/api/v1/webhook-deliveries/{delivery}/resend/", reads=NOBODY, writer="manager"
        ),
    }
    for basename, (prefix, obj) in API_RESOURCES.items():
        reads = API_READS.get(basename, ALL_A)
        writer = API_WRITER.get(basename, "editor")
        table[f"api:{basename}-list"] = route(
            f"/api/v1/{prefix}/", kind=Kind.SCOPED, reads=reads, writer=writer
        )
        table[f"api:{basename}-detail"] = route(
            f"/api/v1/{prefix}/{{{obj}}}/", reads=reads, writer=writer, api_detail=True
        )
    for prefix, (obj, actions) in API_ACTIONS.items():
        for action in actions:
            table[f"api:{prefix}-{action}"] = route(f"/api/v1/{prefix}/{{{obj}}}/{action}/", reads=NOBODY)
    return table


# --- the portal, the feeds, i18n -------------------------------------------------------------------------
FILES = ("convention", "avenant", "visa", "permit")


def _file_urls(suffix: str, with_action: bool = False) -> tuple[str, ...]:
    return tuple(
        f"/files/{kind}/{{{kind}}}/" + (f"do/{ACTION_OF[kind]}/" if with_action else suffix) for kind in FILES
    )


PORTAL: dict[str, Route] = {
    "portal:dashboard": route("/", kind=Kind.SCOPED),
    "portal:switch-organisation": route("/organisation/", kind=Kind.SCOPED, reads=NOBODY, writer="self"),
    "portal:login": route("/login/", kind=Kind.PUBLIC, reads=NOBODY),
    "portal:logout": route("/logout/", kind=Kind.SCOPED, reads=NOBODY, writer="self"),
    "portal:intern-create": route("/interns/new/", kind=Kind.SCOPED, reads=WRITERS),
    "portal:intern": route("/interns/{intern}/"),
    "portal:intern-edit": route("/interns/{intern}/edit/", reads=WRITERS),
    "portal:convention-create": route("/interns/{intern}/conventions/new/", reads=WRITERS),
    "portal:convention-preview": route("/interns/{intern}/preview/", reads=NOBODY),
    "portal:convention": route("/conventions/{convention}/"),
    "portal:convention-edit": route("/conventions/{convention}/edit/", reads=WRITERS),
    "portal:avenant-create": route("/conventions/{convention}/avenants/new/", reads=WRITERS),
    "portal:file": route(*_file_urls("")),
    "portal:file-action": route(*_file_urls("", with_action=True), reads=NOBODY),
    "portal:file-correct": route(*_file_urls("correct/"), reads=WRITERS),
    "portal:document-update": route("/documents/{document}/", reads=NOBODY),  # POST only
    "portal:document-download": route("/documents/{document}/download/"),
    "portal:interns": route("/interns/", kind=Kind.SCOPED),
    "portal:interns-export": route("/interns/export/", kind=Kind.SCOPED),
    "portal:conventions": route("/conventions/", kind=Kind.SCOPED),
    "portal:conventions-export": route("/conventions/export/", kind=Kind.SCOPED),
    "portal:import": route("/import/", kind=Kind.SCOPED, reads=WRITERS),
    "portal:import-template": route("/import/template/interns.csv", kind=Kind.SCOPED, reads=WRITERS),
    "portal:members": route("/members/", kind=Kind.SCOPED, reads=MANAGER, writer="manager"),
    "portal:member-invite": route("/members/invite/", kind=Kind.SCOPED, reads=NOBODY, writer="manager"),
    "portal:member-role": route("/members/{membership}/role/", reads=NOBODY, writer="manager"),
    "portal:member-remove": route("/members/{membership}/remove/", reads=NOBODY, writer="manager"),
    "portal:settings": route("/settings/", kind=Kind.SCOPED, reads=MANAGER, writer="manager"),
    "portal:calendar-create": route("/settings/calendar/", kind=Kind.SCOPED, reads=NOBODY),
    "portal:calendar-revoke": route("/settings/calendar/{calendartoken}/revoke/", reads=NOBODY),
    "portal:account": route("/account/", kind=Kind.SCOPED, writer="self"),
    "portal:password-reset": route("/password-reset/", kind=Kind.PUBLIC),
    "portal:password-reset-sent": route("/password-reset/sent/", kind=Kind.PUBLIC),
    "portal:password-reset-complete": route("/password-reset/done/", kind=Kind.PUBLIC),
    # A reset link is its own credential (Django's signed token): the page is open to whoever holds it.
    "portal:password-reset-confirm": route("/password-reset/{uid}/{token}/", kind=Kind.PUBLIC, reads=NOBODY),
    "portal:api-tokens": route("/settings/api-tokens/", kind=Kind.SCOPED, reads=MANAGER, writer="manager"),
    "portal:api-token-revoke": route(
        "/settings/api-tokens/{apitoken}/revoke/", reads=NOBODY, writer="manager"
    ),
    "portal:webhooks": route("/settings/webhooks/", kind=Kind.SCOPED, reads=MANAGER, writer="manager"),
    "portal:webhook-create": route(
        "/settings/webhooks/new/", kind=Kind.SCOPED, reads=NOBODY, writer="manager"
    ),
    "portal:webhook-update": route("/settings/webhooks/{webhook}/", reads=NOBODY, writer="manager"),
    "portal:webhook-toggle": route("/settings/webhooks/{webhook}/toggle/", reads=NOBODY, writer="manager"),
    "portal:webhook-delete": route("/settings/webhooks/{webhook}/delete/", reads=NOBODY, writer="manager"),
    "portal:webhook-resend": route(
        "/settings/webhooks/deliveries/{delivery}/resend/", reads=NOBODY, writer="manager"
    ),
    "portal:intern-export": route("/interns/{intern}/export/", reads=MANAGER),
}

OTHER: dict[str, Route] = {
    "set_language": route("/i18n/setlang/", kind=Kind.PUBLIC, reads=NOBODY, writer="self"),
    "notifications:calendar_feed": route("/calendar/{feed}.ics", kind=Kind.FEED),
    # The probe of the load balancer: no authentication, no data (a 503 when the broker is away).
    "health": route("/health/", kind=Kind.PUBLIC, reads=NOBODY),
}

ROUTES: dict[str, Route] = {**_admin_routes(), **_api_routes(), **PORTAL, **OTHER}
