"""Intern admin: the passport number never appears in full; edits go through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conventions.models import Intern
from tests.admin.conftest import change_form_data
from tests.factories import InternFactory

pytestmark = pytest.mark.django_db

FULL = "AB1234567"
MASKED = "••••••567"
CHANGELIST = reverse("admin:conventions_intern_changelist")


@pytest.fixture
def holder(acme: Any) -> Intern:
    return InternFactory(organisation=acme, first_name="Rafael", last_name="Souza", passport_number=FULL)


def change_url(intern: Intern) -> str:
    return reverse("admin:conventions_intern_change", args=[intern.pk])


def test_changelist_and_search_show_the_masked_passport_only(login: Any, alice: Any, holder: Intern) -> None:
    client = login(alice)

    listing = client.get(CHANGELIST).content.decode()
    by_name = client.get(CHANGELIST, {"q": "Souza"}).content.decode()
    by_number = client.get(CHANGELIST, {"q": FULL})

    assert MASKED in listing
    assert FULL not in listing
    assert MASKED in by_name and FULL not in by_name
    assert list(by_number.context["cl"].result_list) == []  # the number is not a search key


def test_conventions_changelist_never_contains_a_full_passport_number(
    login: Any, alice: Any, make_convention: Any, holder: Intern
) -> None:
    make_convention(intern=holder)

    content = login(alice).get(reverse("admin:conventions_convention_changelist")).content.decode()

    assert "Rafael SOUZA" in content
    assert FULL not in content


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_change_page_shows_the_number_masked_to_editors_and_viewers(
    request: Any, login: Any, holder: Intern, persona: str
) -> None:
    user = request.getfixturevalue(persona)

    page = login(user).get(change_url(holder))
    history = login(user).get(reverse("admin:conventions_intern_history", args=[holder.pk]))

    assert page.status_code == 200
    assert MASKED in page.content.decode()
    assert FULL not in page.content.decode()
    assert FULL not in history.content.decode()


def test_viewer_has_no_passport_input_and_editor_has_an_empty_one(
    login: Any, alice: Any, bob: Any, holder: Intern
) -> None:
    editor_form = login(alice).get(change_url(holder)).context["adminform"].form
    viewer_page = login(bob).get(change_url(holder)).content.decode()

    assert editor_form["new_passport_number"].value() in (None, "")
    assert 'name="new_passport_number"' not in viewer_page


def test_editor_replaces_the_passport_number_through_the_service(
    login: Any, alice: Any, holder: Intern
) -> None:
    client = login(alice)
    data = change_form_data(client.get(change_url(holder)))
    data["new_passport_number"] = "cd 765 4321"

    response = client.post(change_url(holder), data)

    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.passport_number == "CD7654321"
    assert holder.history.latest().history_user == alice


def test_blank_passport_field_keeps_the_stored_number(login: Any, alice: Any, holder: Intern) -> None:
    client = login(alice)
    data = change_form_data(client.get(change_url(holder)))
    data["first_name"] = "Rafa"

    response = client.post(change_url(holder), data)

    assert response.status_code == 302
    holder.refresh_from_db()
    assert (holder.first_name, holder.passport_number) == ("Rafa", FULL)


def test_intern_of_another_organisation_is_out_of_reach(login: Any, claire: Any, holder: Intern) -> None:
    client = login(claire)

    assert client.get(change_url(holder)).status_code == 302
    assert client.get(reverse("admin:conventions_intern_history", args=[holder.pk])).status_code == 302
    assert holder not in client.get(CHANGELIST).context["cl"].result_list


def test_add_requires_a_passport_number_outside_the_eu_and_creates_through_the_service(
    login: Any, alice: Any, acme: Any
) -> None:
    client = login(alice)
    data = {
        "organisation": acme.pk, "first_name": "Anna", "last_name": "Schmidt", "nationality": "BR",
        "date_of_birth": "2000-05-05", "email": "anna@mail.example", "country_of_residence": "BR",
        "passport_expires_on": "2030-01-01", "language": "en",
    }  # fmt: skip

    missing = client.post(reverse("admin:conventions_intern_add"), data)
    created = client.post(
        reverse("admin:conventions_intern_add"), {**data, "new_passport_number": "c01x 2345"}
    )

    assert missing.status_code == 200
    assert "new_passport_number" in missing.context["adminform"].form.errors
    assert created.status_code == 302
    assert Intern.objects.get(last_name="Schmidt").passport_number == "C01X2345"


def test_stale_version_on_the_intern_form_gives_a_conflict_error(login: Any, alice: Any, intern: Any) -> None:
    from conventions.services.interns import intern_update

    client = login(alice)
    url = change_url(intern)
    page = client.get(url)
    assert 'name="expected_version" value="1"' in page.content.decode()
    data = change_form_data(page)
    intern_update(actor=alice, intern=intern, expected_version=1, email="first@mail.example")
    data["email"] = "second@mail.example"

    response = client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert any("changed by someone else" in error for error in errors)
    intern.refresh_from_db()
    assert (intern.email, intern.version) == ("first@mail.example", 2)
