"""Portal pages: thin views over the selectors (reads) and, later, the services (writes)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conventions import reporting
from conventions.models import ConventionState
from hostportal.models import Organisation
from hostportal.portal import timeline
from hostportal.portal.context import SESSION_KEY, choose_organisation
from hostportal.selectors import organisations_for_user
from notifications.links import file_path
from notifications.selectors import ActNow, act_now

HORIZON_DAYS = 60
TIMELINE_LIMIT = 25  # bars drawn at most: the stays closest to a deadline (the rest are counted)
ACT_NOW_LIMIT = 100  # rows listed at most, the most urgent first; the rest are counted and linked


def _counts(by_state: dict[str, int]) -> list[tuple[str, int]]:
    """Conventions by state, in the order of the state machine."""
    return [(str(state.label), by_state.get(state.value, 0)) for state in ConventionState]


def _current(request: HttpRequest, organisations: list[Organisation]) -> Organisation | None:
    """The same choice as context.current_organisation (the session's organisation when the user may
    still see it, else the first by name), made from the list the header needs: one query less."""
    chosen = request.session.get(SESSION_KEY)
    return next(
        (org for org in organisations if org.pk == chosen), organisations[0] if organisations else None
    )


def _rows(items: list[ActNow], language: str) -> list[dict[str, object]]:
    return [
        {
            "item": item,
            "label": item.label(language),
            "why": item.explanation.text(language),
            "url": file_path(item.file.file_type, item.file.pk),
        }
        for item in items
    ]


def _timeline(organisation_id: int, today: dt.date) -> dict[str, object]:
    """The timeline picture (SVG built and escaped by hostportal.portal.timeline) and its table twin."""
    window = timeline.window_around(today)
    found, total = reporting.timeline_rows(
        organisation_id, start=window.start, end=window.end, limit=TIMELINE_LIMIT
    )
    stays = [
        timeline.Stay(
            name=row.intern_name,
            url=reverse("portal:convention", args=[row.convention_id]),
            start=row.start,
            end=row.end,
            marks=tuple(timeline.Mark(kind, on) for kind, on in row.deadlines),
            requested_end=row.requested_end,
        )
        for row in found
    ]
    picture = timeline.layout(stays, window=window, today=today)
    description = _(
        "One bar per stay, from its start to its effective end date, with its deadlines as marks; "
        "the same facts are in the table below."
    )
    svg = timeline.render_svg(
        picture, title=_("Stays and deadlines"), description=description, today_label=_("Today")
    )
    table = [
        {
            "stay": stay,
            "marks": [(timeline.KINDS[mark.kind], mark.on, mark.on < today) for mark in stay.marks],
        }
        for stay in stays
    ]
    legend = [(timeline.legend_svg(kind), kind.label) for kind in timeline.KINDS.values()]
    return {
        "timeline_svg": svg,
        "timeline_table": table,
        "timeline_window": window,
        "timeline_hidden": total - len(stays),
        "timeline_total": total,
        "timeline_legend": legend,
    }


def _indicators(organisation_id: int, today: dt.date, items: list[ActNow]) -> dict[str, object]:
    kpis = reporting.kpis(organisation_id, today=today)
    late_items = [
        (str(item.file.file_type), item.file.pk, str(item.kind)) for item in items if item.urgency == "late"
    ]
    return {
        "kpis": kpis,
        "counts": _counts(kpis.by_state),
        "late_files": reporting.late_files(kpis.overdue, late_items),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Aujourd'hui: counts by state, one list of what to do (the most urgent first, each with its why; at
    most ACT_NOW_LIMIT rows, the others counted), the timeline of the coming months and the indicators.
    A fixed number of queries whatever the data."""
    organisations = list(organisations_for_user(request.user).order_by("name"))
    organisation = _current(request, organisations)
    today = timezone.localdate()
    context: dict[str, object] = {"organisation": organisation, "today": today, "horizon": HORIZON_DAYS}
    if organisation is not None:
        items = act_now(organisation.pk, today, HORIZON_DAYS)
        language = translation.get_language() or "fr"
        context |= {
            "rows": _rows(items[:ACT_NOW_LIMIT], language[:2]),
            "act_now_total": len(items),
            "act_now_hidden": max(0, len(items) - ACT_NOW_LIMIT),
            "conventions_url": reverse("portal:conventions") + "?sort=deadline",
            "late": sum(1 for item in items if item.urgency == "late"),
            "organisations": organisations,
        }
        context |= _timeline(organisation.pk, today) | _indicators(organisation.pk, today, items)
    return render(request, "portal/dashboard.html", context)


@login_required
@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    choose_organisation(request, request.POST.get("organisation"))
    return HttpResponseRedirect(reverse("portal:dashboard"))
