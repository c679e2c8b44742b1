"""API tokens of an organisation, the idempotency keys of retried POSTs, and the token's acting user.

A token's secret is shown once, when it is created; only its SHA-256 digest is stored (the secret is 32
random bytes, so a slow hash would add nothing against guessing), with its first characters for display.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _

from hostportal.models import Membership, Organisation

User = get_user_model()


class ApiToken(models.Model):
    """A credential of one organisation with one role (never above its creator's), revocable."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("Who uses it, e.g. the HR system."))
    role = models.CharField(
        _("role"), max_length=16, choices=Membership.Role.choices, default=Membership.Role.VIEWER
    )
    prefix = models.CharField(_("prefix"), max_length=16, editable=False, db_index=True)
    secret_hash = models.CharField(_("secret hash"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["organisation", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def audit_label(self) -> str:
        # Language-neutral on purpose: stored in the audit trail, read in French and English alike.
        return f"API token « {self.name} »"


class ApiActor(User):  # type: ignore[valid-type,misc]
    """The token's creator acting through the token: the same user row (permissions, foreign keys), named
    after the token in every audit row (TransitionLog and AuditEntry call get_username/get_full_name)."""

    class Meta:
        proxy = True
        default_permissions = ()
        verbose_name = _("API token user")

    api_token: ApiToken | None = None

    @classmethod
    def for_token(cls, token: ApiToken) -> ApiActor:
        user: Any = token.created_by
        actor = cls()
        actor.__dict__.update({k: v for k, v in user.__dict__.items() if k != "_state"})
        actor._state = user._state
        actor.api_token = token
        return actor

    def get_username(self) -> str:
        token = self.api_token
        if token is None:
            return str(super().get_username())
        return f"{token.audit_label} ({getattr(self, self.USERNAME_FIELD)})"

    def get_full_name(self) -> str:
        return "" if self.api_token is not None else str(super().get_full_name())


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with an Idempotency-Key: a retry with the same key and body gets it
    again and creates nothing. One row per (token or user, key), guarded by unique constraints."""

    token = models.ForeignKey(
        ApiToken, verbose_name=_("API token"), null=True, blank=True, on_delete=models.CASCADE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.CASCADE
    )
    key = models.CharField(_("key"), max_length=200)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True)
    response_body = models.JSONField(_("response body"), null=True)
    response_headers = models.JSONField(_("response headers"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(
                fields=["token", "key"], condition=models.Q(token__isnull=False), name="idempotency_token_key"
            ),
            models.UniqueConstraint(
                fields=["user", "key"], condition=models.Q(token__isnull=True), name="idempotency_user_key"
            ),
            models.CheckConstraint(
                condition=models.Q(token__isnull=False) | models.Q(user__isnull=False),
                name="idempotency_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.key
