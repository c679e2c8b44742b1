"""The portal's lists of interns and conventions: scoped to the organisation, searched (never on the
passport number), filtered, sorted, paginated, with a constant number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from conventions import services
from conventions.models import Intern
from hostportal.models import Membership, Organisation
from tests.conftest import NOW
from tests.factories import InternFactory, convention_fields

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(user: Any, url: str) -> str:
    with time_machine.travel(NOW, tick=False):
        response = client_for(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def chu_convention(claire: Any, chu: Organisation) -> Any:
    other = InternFactory(organisation=chu, first_name="Zeynep", last_name="Outsider", nationality="TR")
    return services.convention_create(
        actor=claire, organisation=chu, intern=other, now=NOW, **convention_fields(tutor_name="Dr Secret")
    )


def test_the_manager_sees_the_conventions_with_their_next_deadline(
    alice: Any, submitted_convention: Any, make_convention: Any
) -> None:
    draft = make_convention(start_date=dt.date(2027, 4, 1), end_date=dt.date(2027, 9, 30))
    page = page_of(alice, "/conventions/")
    assert f'href="/conventions/{submitted_convention.pk}/"' in page
    assert f'href="/conventions/{draft.pk}/"' in page
    assert "Silence deadline (administration)" in page and "2026-12-02" in page and "in 9 days" in page
    assert "Filing deadline" in page  # the draft's: start 2027-04-01 minus 2 months
    assert page.index("2026-12-02") < page.index("2027-02-01")  # sorted by next deadline


def test_the_viewer_sees_the_lists_but_no_import(bob: Any, submitted_convention: Any) -> None:
    page = page_of(bob, "/conventions/")
    assert f'href="/conventions/{submitted_convention.pk}/"' in page
    assert "Import a file" not in page and "Export CSV" in page
    assert "Import a file" not in page_of(bob, "/interns/")


def test_the_outsider_sees_only_their_organisation(
    claire: Any, alice: Any, submitted_convention: Any, chu_convention: Any
) -> None:
    theirs = submitted_convention.intern.last_name.upper()
    page = page_of(claire, "/conventions/")
    assert "OUTSIDER" in page and theirs not in page
    interns = page_of(claire, "/interns/")
    assert "OUTSIDER" in interns and theirs not in interns
    # And the other way round, even when the session names the other organisation.
    client = client_for(alice)
    session = client.session
    session["portal_organisation_id"] = chu_convention.organisation_id
    session.save()
    assert "OUTSIDER" not in client.get("/conventions/").content.decode()
    assert "Dr Secret" not in client.get("/conventions/?q=Secret").content.decode()


def test_search_covers_names_school_tutor_nationality_and_references(
    alice: Any, acme: Organisation, make_convention: Any
) -> None:
    amina = InternFactory(organisation=acme, first_name="Amina", last_name="Ndiaye", nationality="SN")
    kenji = InternFactory(organisation=acme, first_name="Kenji", last_name="Sato", nationality="JP")
    one = make_convention(intern=amina, sending_establishment="Université de Dakar", tutor_name="Paul Roux")
    two = make_convention(intern=kenji, sending_establishment="Kyoto University", tutor_name="Anne Blanc")

    def found(query: str) -> set[int]:
        page = page_of(alice, f"/conventions/?q={query}")
        return {c.pk for c in (one, two) if f'href="/conventions/{c.pk}/"' in page}

    assert found("ndiaye") == {one.pk}
    assert found("Amina Ndiaye") == {one.pk}
    assert found("Kyoto") == {two.pk}
    assert found("Blanc") == {two.pk}
    assert found("Japan") == {two.pk}
    assert found("SN") == {one.pk}
    assert two.pk in found(str(two.pk)) and two.pk in found(f"%23{two.pk}")
    interns = page_of(alice, "/interns/?q=Kyoto")
    assert "SATO" in interns and "NDIAYE" not in interns


def test_search_in_french_finds_the_country_by_its_french_name(alice: Any, acme: Organisation) -> None:
    Membership.objects.filter(user=alice).update(language="fr")
    InternFactory(organisation=acme, first_name="Hans", last_name="Muller", nationality="DE")
    page = page_of(alice, "/interns/?q=Allemagne")
    assert "MULLER" in page


def test_search_never_matches_a_passport_number(alice: Any, acme: Organisation, make_convention: Any) -> None:
    intern = InternFactory(organisation=acme, last_name="Hidden", passport_number="ZX9876543")
    make_convention(intern=intern)
    assert "HIDDEN" in page_of(alice, "/interns/?q=hidden")
    assert "HIDDEN" not in page_of(alice, "/conventions/?q=ZX9876543")
    assert "HIDDEN" not in page_of(alice, "/interns/?q=ZX9876543")
    assert "HIDDEN" not in page_of(alice, "/interns/?q=9876543")
    assert "ZX9876543" not in page_of(alice, "/interns/")


def test_filters_by_state_category_and_deadline(
    alice: Any, submitted_convention: Any, make_convention: Any
) -> None:
    draft = make_convention(start_date=dt.date(2027, 4, 1), end_date=dt.date(2027, 9, 30))
    submitted = f'href="/conventions/{submitted_convention.pk}/"'
    drafted = f'href="/conventions/{draft.pk}/"'
    page = page_of(alice, "/conventions/?state=draft")
    assert drafted in page and submitted not in page
    page = page_of(alice, "/conventions/?deadline=30")
    assert submitted in page and drafted not in page
    page = page_of(alice, "/conventions/?deadline=past")
    assert submitted not in page and drafted not in page
    page = page_of(alice, "/conventions/?category=hopital")
    assert submitted not in page and "No convention matches." in page
    # A hand-edited URL never breaks the page.
    assert page_of(alice, "/conventions/?deadline=zzz&state=nope&sort=evil&page=999")


def test_past_deadline_is_shown_as_late(alice: Any, submitted_convention: Any) -> None:
    with time_machine.travel(NOW + dt.timedelta(days=12), tick=False):
        page = client_for(alice).get("/conventions/?deadline=past").content.decode()
    assert f'href="/conventions/{submitted_convention.pk}/"' in page and "3 days late" in page


def test_sorting_by_a_column_header_and_back(alice: Any, acme: Organisation, make_convention: Any) -> None:
    for name in ("Bravo", "Alpha", "Charlie"):
        make_convention(intern=InternFactory(organisation=acme, last_name=name))
    page = page_of(alice, "/conventions/?sort=name")
    assert page.index("ALPHA") < page.index("BRAVO") < page.index("CHARLIE")
    assert 'href="?sort=-name"' in page and 'aria-sort="ascending"' in page
    page = page_of(alice, "/conventions/?sort=-name")
    assert page.index("CHARLIE") < page.index("BRAVO") < page.index("ALPHA")
    interns = page_of(alice, "/interns/?sort=-name")
    assert interns.index("CHARLIE") < interns.index("ALPHA")
    assert page_of(alice, "/interns/?sort=deadline") and page_of(alice, "/conventions/?sort=state")


def test_sixty_conventions_take_two_pages_and_a_bounded_number_of_queries(
    alice: Any, acme: Organisation, make_convention: Any, django_assert_max_num_queries: Any
) -> None:
    interns = Intern.objects.bulk_create(
        InternFactory.build(organisation=acme, last_name=f"Many{n:02d}") for n in range(62)
    )
    for intern in interns:
        make_convention(intern=intern)
    client = client_for(alice)
    with time_machine.travel(NOW, tick=False):
        with django_assert_max_num_queries(12):
            first = client.get("/conventions/?sort=name").content.decode()
        with django_assert_max_num_queries(12):
            second = client.get("/conventions/?sort=name&page=2").content.decode()
        with django_assert_max_num_queries(12):
            people = client.get("/interns/?q=Many").content.decode()
        with django_assert_max_num_queries(12):
            assert client.get("/conventions/export/?format=xlsx").status_code == 200
    assert first.count("<tr>") == 51 and "MANY00" in first and "MANY55" not in first  # header + 50 rows
    assert "MANY55" in second and "Page 2 of 2" in second
    assert "Page 1 of 2" in people


def test_anonymous_visitors_go_to_the_login_page() -> None:
    for url in ("/conventions/", "/interns/", "/conventions/export/", "/import/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
