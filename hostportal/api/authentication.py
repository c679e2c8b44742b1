"""Who is calling: a Bearer token of one organisation, or the portal's session (with its CSRF check).

A token acts as its creator (the services check the creator's role too) with the token's role, capped at
the creator's current one; in the audit trail it is named after the token (models.ApiActor). A revoked
token, an unknown one, or one whose creator left the organisation is refused with 401.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from hostportal.api.models import ApiActor, ApiToken
from hostportal.api.services import api_token_touch, hash_secret, lowest_role
from hostportal.permissions import role_of

MAX_SECRET_LENGTH = 200


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ApiActor, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2 or len(header[1]) > MAX_SECRET_LENGTH:
            raise exceptions.AuthenticationFailed(_("Authorization: write “Bearer” then the token."))
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This API token is not valid.")) from None
        return self._for_secret(secret)

    def _for_secret(self, secret: str) -> tuple[ApiActor, ApiToken]:
        token = (
            ApiToken.objects.select_related("created_by", "organisation")
            .filter(secret_hash=hash_secret(secret))
            .first()
        )
        if token is None or not token.is_active:
            raise exceptions.AuthenticationFailed(_("This API token is not valid or has been revoked."))
        creator: Any = token.created_by
        if not creator.is_active:
            raise exceptions.AuthenticationFailed(_("This API token’s creator can no longer log in."))
        role = lowest_role(token.role, role_of(creator, token.organisation_id))
        if role is None:
            raise exceptions.AuthenticationFailed(
                _("This API token’s creator is no longer a member of the organisation.")
            )
        token.effective_role = role  # type: ignore[attr-defined]
        api_token_touch(token)
        return ApiActor.for_token(token), token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class PortalSessionAuthentication(authentication.SessionAuthentication):
    """The portal's login, with Django's CSRF check on unsafe methods (a cookie alone never writes)."""


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "An API token of the organisation."}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = PortalSessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
