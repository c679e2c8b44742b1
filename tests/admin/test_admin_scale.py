"""The admin's lists at scale (issue 10): a fixed number of queries whatever the number of rows, no count
of a whole big table, no filter that reads every row, and lists ordered along an index.

The figures (an operator's convention list over 1,000,000 rows: 2.4 s before, ~40 ms after) are in
docs/benchmarks.md; here the mechanisms are checked on small data, with PostgreSQL's planner and
statistics where they matter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conventions.models import Convention, Intern
from hostportal.admin import EstimatedCountPaginator
from tests.factories import InternFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

CONVENTIONS = reverse("admin:conventions_convention_changelist")
INTERNS = reverse("admin:conventions_intern_changelist")
LISTS = [
    CONVENTIONS,
    INTERNS,
    reverse("admin:conventions_avenant_changelist"),
    reverse("admin:conventions_residencepermitapplication_changelist"),
    reverse("admin:conventions_visaapplication_changelist"),
    reverse("admin:conventions_documentitem_changelist"),
    reverse("admin:conventions_transitionlog_changelist"),
]


def more_conventions(make_convention: Callable[..., Convention], acme: Any, count: int) -> None:
    for number in range(count):
        make_convention(intern=InternFactory(organisation=acme), start_date=dt.date(2027, 3 + number % 6, 1))


def queries_of(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("who", ["alice", "operator"])
def test_every_list_costs_the_same_queries_with_few_or_many_rows(
    who: str, login: Any, alice: Any, operator: Any, acme: Any, make_convention: Any
) -> None:
    client = login(alice if who == "alice" else operator)
    make_convention()
    few = {url: len(queries_of(client, url)) for url in LISTS}
    more_conventions(make_convention, acme, 30)
    many = {url: len(queries_of(client, url)) for url in LISTS}
    assert many == few, (few, many)
    assert max(many.values()) <= 12, many


def test_no_list_counts_twice_and_no_filter_reads_every_row(
    login: Any, operator: Any, make_convention: Any
) -> None:
    make_convention()
    client = login(operator)
    for url in (CONVENTIONS, INTERNS):
        sql = queries_of(client, url)
        counts = [query for query in sql if "COUNT(" in query.upper()]
        assert len(counts) <= 1, counts  # show_full_result_count = False: no second count of every row
        # Neither RelatedOnlyFieldListFilter (DISTINCT organisation of every row) nor the date hierarchy
        # (DISTINCT DATE_TRUNC of every row) nor the country list of every row, for an operator.
        assert not [query for query in sql if "DISTINCT" in query.upper()], sql


def test_the_organisation_filter_lists_the_readable_organisations_and_stops_beyond_fifty(
    login: Any, alice: Any, operator: Any, acme: Any, chu: Any, make_convention: Any
) -> None:
    make_convention()
    page = login(alice).get(CONVENTIONS).content.decode()
    assert f"organisation__id__exact={acme.pk}" not in page  # one organisation: nothing to choose
    assert chu.name not in page
    listed = login(operator).get(CONVENTIONS).content.decode()
    assert f"organisation__id__exact={chu.pk}" in listed and f"organisation__id__exact={acme.pk}" in listed
    for number in range(50):
        OrganisationFactory(name=f"Hospital {number:02d}")
    crowded = login(operator).get(CONVENTIONS).content.decode()
    assert "organisation__id__exact" not in crowded  # 52 organisations: search by name instead
    found = login(operator).get(INTERNS, {"q": acme.name})
    assert found.context["cl"].result_count == Intern.objects.filter(organisation=acme).count() >= 1


def test_the_start_year_filter_spans_the_stages_and_filters_on_a_range(
    login: Any, alice: Any, acme: Any, make_convention: Any
) -> None:
    make_convention(start_date=dt.date(2027, 3, 1), end_date=dt.date(2027, 8, 31))
    later = InternFactory(organisation=acme)
    make_convention(intern=later, start_date=dt.date(2028, 9, 1), end_date=dt.date(2029, 2, 1))
    client = login(alice)
    page = client.get(CONVENTIONS).content.decode()
    assert "start_year=2027" in page and "start_year=2028" in page and "start_year=2026" not in page
    sql = queries_of(client, CONVENTIONS + "?start_year=2028")
    listed = [query for query in sql if '"conventions_convention"."tutor_name"' in query]
    assert listed and '"start_date" >=' in listed[0] and '"start_date" <' in listed[0], listed
    assert client.get(CONVENTIONS + "?start_year=2028").context["cl"].result_count == 1
    assert client.get(CONVENTIONS + "?start_year=9999x").status_code == 200  # ignored, never a 500


def test_an_unfiltered_big_table_is_estimated_and_anything_else_counted(
    acme: Any, make_convention: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    more_conventions(make_convention, acme, 12)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE conventions_convention")
    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_FROM", 10)
    with CaptureQueriesContext(connection) as captured:
        estimated = EstimatedCountPaginator(Convention.objects.all(), 100).count
    assert estimated == 12 and "reltuples" in captured.captured_queries[0]["sql"]
    assert not [query for query in captured.captured_queries if "COUNT(" in query["sql"].upper()]
    # A filter (an organisation's scope, a search) is always counted exactly.
    assert EstimatedCountPaginator(Convention.objects.filter(organisation=acme), 100).count == 12
    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_FROM", 1000)
    assert EstimatedCountPaginator(Convention.objects.all(), 100).count == 12  # small table: counted


def test_the_first_page_of_each_list_walks_an_index(acme: Any, make_convention: Any) -> None:
    """With the planner forbidden to sort when it has another way, the default orders use their index."""
    more_conventions(make_convention, acme, 3)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        for queryset in (Convention.objects.all()[:100], Intern.objects.all()[:100]):
            sql, params = queryset.query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index Scan using" in plan and "Sort" not in plan, plan
