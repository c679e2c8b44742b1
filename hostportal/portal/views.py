"""Portal pages: thin views over the selectors (reads) and, later, the services (writes)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_POST

from conventions.models import Convention, ConventionState
from hostportal.portal.context import choose_organisation, current_organisation
from hostportal.selectors import organisations_for_user
from notifications.links import file_url
from notifications.selectors import ActNow, act_now

HORIZON_DAYS = 60


def _counts(organisation_id: int) -> list[tuple[str, int]]:
    """Conventions by state (one query), in the order of the state machine."""
    found = dict(
        Convention.objects.filter(organisation_id=organisation_id)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(str(state.label), found.get(state.value, 0)) for state in ConventionState]


def _rows(items: list[ActNow], language: str) -> list[dict[str, object]]:
    return [
        {
            "item": item,
            "label": item.label(language),
            "why": item.explanation.text(language),
            "url": file_url(item.file.file_type, item.file.pk),
        }
        for item in items
    ]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Aujourd'hui: counts by state and one list of what to do, most urgent first, each with its why."""
    organisation = current_organisation(request)
    today = timezone.localdate()
    context: dict[str, object] = {"organisation": organisation, "today": today, "horizon": HORIZON_DAYS}
    if organisation is not None:
        items = act_now(organisation.pk, today, HORIZON_DAYS)
        language = translation.get_language() or "fr"
        context |= {
            "counts": _counts(organisation.pk),
            "rows": _rows(items, language[:2]),
            "late": sum(1 for item in items if item.urgency == "late"),
            "organisations": list(organisations_for_user(request.user).order_by("name")),
        }
    return render(request, "portal/dashboard.html", context)


@login_required
@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    choose_organisation(request, request.POST.get("organisation"))
    return HttpResponseRedirect(reverse("portal:dashboard"))
