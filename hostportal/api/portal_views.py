"""The portal page of the API tokens (`portal:api-tokens`): managers create and revoke them; the secret is
shown once, on the page that answers the creation, and never again (only its digest is stored)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hostportal.api.models import ApiToken
from hostportal.api.services import api_token_create, api_token_revoke
from hostportal.models import Membership, Organisation
from hostportal.permissions import can_manage
from hostportal.portal.members import _forbidden, manager_only
from hostportal.selectors import organisations_for_user


def _render(
    request: HttpRequest,
    organisation: Organisation,
    *,
    secret: str = "",
    created: ApiToken | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    tokens = ApiToken.objects.filter(organisation=organisation, revoked_at__isnull=True).select_related(
        "created_by"
    )
    context = {
        "organisation": organisation,
        "organisations": list(organisations_for_user(request.user).order_by("name")),
        "tokens": list(tokens),
        "roles": Membership.Role.choices,
        "secret": secret,
        "created": created,
        "errors": errors or {},
        "api_url": settings.SITE_URL + "/api/v1/",
        "docs_url": reverse("api:docs"),
    }
    return render(request, "portal/api/tokens.html", context, status=status)


@manager_only
def api_tokens(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The organisation's active tokens and the form that creates one (its secret shown once)."""
    if request.method != "POST":
        return _render(request, organisation)
    try:
        token, secret = api_token_create(
            actor=request.user,
            organisation=organisation,
            name=request.POST.get("name", ""),
            role=request.POST.get("role", ""),
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return _render(request, organisation, errors=error.message_dict, status=400)
    response = _render(request, organisation, secret=secret, created=token)
    response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = (
        ApiToken.objects.select_related("organisation")
        .filter(pk=pk, organisation__in=organisations_for_user(request.user))
        .first()
    )
    if token is None:
        raise Http404
    if not can_manage(request.user, token.organisation_id):
        return _forbidden(request, token.organisation)
    api_token_revoke(actor=request.user, token=token)
    messages.success(
        request, _("The API token « %(name)s » is revoked: it no longer works.") % {"name": token.name}
    )
    return HttpResponseRedirect(reverse("portal:api-tokens"))
