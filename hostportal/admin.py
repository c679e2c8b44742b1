"""Admin of the tenant root, and the tenancy every admin page of the project is built on.

Who may do what in the admin comes from Membership roles, not from Django model permissions: a staff
member sees the rows of the organisations they belong to, a viewer reads them, a manager or an editor
changes them, and a superuser (an operator) sees everything. Nobody needs a Django permission granted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelChoiceField
from django.http import HttpRequest
from django.utils.functional import cached_property

from hostportal.models import Membership, Organisation
from hostportal.selectors import WRITE_ROLES, organisations_for_user, writable_organisations_for_user

if TYPE_CHECKING:
    ModelAdminBase = admin.ModelAdmin[Any]
    TabularInlineBase = admin.TabularInline[Any, Any]
else:  # django-stubs' generics are not subscriptable at run time (no django_stubs_ext.monkeypatch)
    ModelAdminBase = admin.ModelAdmin
    TabularInlineBase = admin.TabularInline

_CACHE_ATTRIBUTE = "_hostportal_admin_access"


class Access:
    """The request user's role in each organisation, read once per request (admin pages ask often)."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.is_superuser = bool(getattr(user, "is_superuser", False))
        authenticated = bool(getattr(user, "is_authenticated", False))
        self.roles: dict[int, str] = (
            dict(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
            if authenticated and not self.is_superuser
            else {}
        )
        self.is_active_staff = authenticated and bool(user.is_active and user.is_staff)

    @property
    def is_member(self) -> bool:
        return self.is_active_staff and (self.is_superuser or bool(self.roles))

    @property
    def can_write_somewhere(self) -> bool:
        return self.is_active_staff and (
            self.is_superuser or any(r in WRITE_ROLES for r in self.roles.values())
        )

    def can_read(self, organisation_id: int | None) -> bool:
        return self.is_active_staff and (self.is_superuser or organisation_id in self.roles)

    def can_write(self, organisation_id: int | None) -> bool:
        if not self.is_active_staff:
            return False
        return self.is_superuser or self.roles.get(organisation_id or 0) in WRITE_ROLES

    def is_manager_of(self, organisation_id: int | None) -> bool:
        if not self.is_active_staff:
            return False
        return self.is_superuser or self.roles.get(organisation_id or 0) == Membership.Role.MANAGER


def access(request: HttpRequest) -> Access:
    cached = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is None or cached.user is not request.user:
        cached = Access(request.user)
        setattr(request, _CACHE_ATTRIBUTE, cached)
    return cached


def limit_to_writable(request: HttpRequest, db_field: models.ForeignKey[Any, Any], field: Any) -> Any:
    """Restrict a foreign-key choice to the organisations the user may write in (or rows of them)."""
    if not isinstance(field, ModelChoiceField):
        return field
    writable = writable_organisations_for_user(request.user)
    if db_field.related_model is Organisation:
        field.queryset = writable
    elif field.queryset is not None and _has_organisation(db_field.related_model):
        field.queryset = field.queryset.filter(organisation__in=writable)
    return field


def _has_organisation(model: Any) -> bool:
    return any(f.name == "organisation" for f in model._meta.get_fields())


# Personal data that no URL may filter on (issue 9: a viewer recovered a full passport number with
# ?passport_number__startswith=… and a binary search). Lists and search never offer them either.
PERSONAL_LOOKUP_FIELDS = frozenset({"passport_number", "passport_expires_on", "date_of_birth", "email"})


class EstimatedCountPaginator(Paginator):
    """Counts exactly, except a whole big table on PostgreSQL: its row estimate (pg_class.reltuples,
    kept by ANALYZE and autovacuum) instead of a COUNT(*) over a million rows (~0.1 s, issue 10).

    Only an unfiltered list of every row is estimated (an operator's first view); any filter, search or
    organisation scope counts exactly. An estimate below ESTIMATE_FROM is counted exactly too.
    """

    ESTIMATE_FROM = 100_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if isinstance(queryset, QuerySet) and not queryset.query.where:
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                        [queryset.model._meta.db_table],
                    )
                    row = cursor.fetchone()
                if row and row[0] >= self.ESTIMATE_FROM:
                    return int(row[0])
        return super().count


class TenantAdmin(ModelAdminBase):
    """A ModelAdmin scoped to the user's organisations, with permissions from Membership roles.

    Another organisation's object is absent from the queryset, so its URL answers like a missing object.
    Rows are never deleted from the admin: files are withdrawn and audited, not erased.
    """

    organisation_lookup = "organisation"
    # One count per page (the filtered one), not a second one of every row: an operator's lists span a
    # million files (issue 10).
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def organisation_id_of(self, obj: Any) -> int | None:
        return obj.organisation_id

    def lookup_allowed(self, lookup: str, value: Any, request: HttpRequest) -> bool:
        """Refuse a URL lookup that touches a personal field, at any depth (intern__passport_number...):
        Django then answers 400 (DisallowedModelAdminLookup), for operators too."""
        if PERSONAL_LOOKUP_FIELDS.intersection(lookup.split(models.constants.LOOKUP_SEP)):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if access(request).is_superuser:
            return queryset
        return queryset.filter(**{f"{self.organisation_lookup}__in": organisations_for_user(request.user)})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access(request).is_member

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return access(request).is_member
        return access(request).can_read(self.organisation_id_of(obj))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access(request).can_write_somewhere

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return access(request).can_write_somewhere
        return access(request).can_write(self.organisation_id_of(obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        return limit_to_writable(
            request, db_field, super().formfield_for_foreignkey(db_field, request, **kwargs)
        )


class TenantInline(TabularInlineBase):
    """An inline with the same role-based permissions as its parent page (the parent is in scope)."""

    extra = 0

    def organisation_id_of(self, obj: Any) -> int | None:
        return obj.organisation_id

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (
            access(request).is_member
            if obj is None
            else access(request).can_read(self.organisation_id_of(obj))
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return access(request).can_write_somewhere
        return access(request).can_write(self.organisation_id_of(obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Organisation and its memberships ----------------------------------------------------------------


class MembershipFormSet(BaseInlineFormSet):
    """Refuse, before anything is saved, an edit that would leave the organisation without a manager."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        # form.initial holds the saved role (the instance already carries the edited one).
        had_manager = any(form.initial.get("role") == Membership.Role.MANAGER for form in self.initial_forms)
        roles = [
            form.cleaned_data.get("role")
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and form.cleaned_data.get("DELETE"))
        ]
        if had_manager and Membership.Role.MANAGER not in roles:
            raise ValidationError(
                "The organisation must keep at least one manager: make another member a manager first."
            )


class MembershipInline(TenantInline):
    """Managers set their members' role, language and email preference; operators add and remove them.

    Adding a member means choosing among every user account, which only an operator may list.
    """

    model = Membership
    formset = MembershipFormSet
    fields = ["user", "role", "language", "email_preference", "created_at"]
    readonly_fields = ["created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if access(request).is_superuser:
            return ["created_at"]
        return ["user", "created_at"]

    def organisation_id_of(self, obj: Any) -> int | None:
        return obj.pk  # the parent Organisation

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and access(request).is_manager_of(obj.pk)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access(request).is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access(request).is_superuser


@admin.register(Organisation)
class OrganisationAdmin(TenantAdmin):
    """Members see their organisations; managers edit their contact details; operators create them."""

    organisation_lookup = "pk"
    list_display = ["name", "kind", "siret", "contact_email", "member_count"]
    list_filter = ["kind"]
    search_fields = ["name", "siret"]
    fields = ["name", "kind", "siret", "address", "contact_email", "created_at"]
    inlines = [MembershipInline]

    def organisation_id_of(self, obj: Any) -> int | None:
        return obj.pk

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return super().get_queryset(request).annotate(member_count=models.Count("memberships"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if access(request).is_superuser:
            return ["created_at"]
        return ["kind", "siret", "created_at"]

    @admin.display(description="Members", ordering="member_count")
    def member_count(self, obj: Any) -> int:
        return int(obj.member_count)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access(request).is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return access(request).is_superuser or any(
                role == Membership.Role.MANAGER for role in access(request).roles.values()
            )
        return access(request).is_manager_of(obj.pk)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access(request).is_superuser

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Memberships change through hostportal.services, audited with the channel "admin"."""
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        from hostportal import services  # imported late: hostportal.services imports notifications

        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        rows = [(inline, bool(formset._should_delete_form(inline))) for inline in formset.forms]
        # New managers first and removals last, so that the organisation keeps a manager at every step
        # (the formset's clean() has checked the end result).
        rows.sort(
            key=lambda row: (row[1], (row[0].cleaned_data or {}).get("role") != Membership.Role.MANAGER)
        )
        for inline, delete in rows:
            _save_membership(request, form.instance, inline, delete, services)


def _save_membership(
    request: HttpRequest, organisation: Organisation, inline: Any, delete: bool, services: Any
) -> None:
    """One inline row through the services: added (operators), removed, or role and preferences."""
    data, pk, actor = inline.cleaned_data, inline.instance.pk, request.user
    if pk is None:
        if data and not delete:
            services.membership_add(
                actor=actor, organisation=organisation, user=data["user"], role=data["role"],
                language=data["language"], email_preference=data["email_preference"], channel="admin",
            )  # fmt: skip
        return
    current = Membership.objects.get(pk=pk)
    if delete:
        services.membership_remove(actor=actor, membership=current, channel="admin")
    elif inline.has_changed():
        services.membership_set_role(actor=actor, membership=current, role=data["role"], channel="admin")
        services.member_set_preferences(
            actor=actor, membership=current, language=data["language"],
            email_preference=data["email_preference"], channel="admin",
        )  # fmt: skip
