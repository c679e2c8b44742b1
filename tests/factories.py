"""Factories for the rows the personas do not cover. States are reached through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from stdnum import luhn

from conventions.models import Convention, Intern
from hostportal.models import Membership, Organisation

_counter = itertools.count(10_000_000)


def make_siret() -> str:
    """A SIRET whose SIREN and whole number both pass the Luhn check (python-stdnum's rules)."""
    siren_base = str(next(_counter))[:8]
    siren = siren_base + luhn.calc_check_digit(siren_base)
    nic_base = siren + "0001"
    return nic_base + luhn.calc_check_digit(nic_base)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Host organisation {n}")
    kind = Organisation.Kind.COMPANY
    siret = factory.LazyFunction(make_siret)
    address = "1 rue de la Paix, 75002 Paris"
    contact_email = factory.Sequence(lambda n: f"contact{n}@host.example")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@host.example")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @classmethod
    def _after_postgeneration(cls, instance: object, create: bool, results: object = None) -> None:
        if create:
            instance.save()  # type: ignore[attr-defined]


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MANAGER
    # The product's default is French; the personas read English so that the tests asserting English
    # wording do (the French tests set "fr" themselves).
    language = Membership.Language.EN


class InternFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intern

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = "Amina"
    last_name = factory.Sequence(lambda n: f"Diallo{n}")
    nationality = "SN"
    date_of_birth = dt.date(2001, 3, 14)
    email = factory.Sequence(lambda n: f"intern{n}@mail.example")
    country_of_residence = "SN"
    passport_number = factory.Sequence(lambda n: f"A{n:08d}")
    passport_expires_on = dt.date(2031, 1, 1)


def convention_fields(**overrides: object) -> dict[str, object]:
    """Fields of a complete, valid company stage of 6 months starting 2027-03-01."""
    fields: dict[str, object] = {
        "category": "entreprise",
        "sending_establishment": "Université Cheikh Anta Diop",
        "tutor_name": "Jeanne Martin",
        "tutor_email": "jeanne.martin@host.example",
        "start_date": dt.date(2027, 3, 1),
        "end_date": dt.date(2027, 8, 31),
        "weekly_hours": Decimal("35"),
        "hourly_gratification_eur": Decimal("4.50"),
        "monthly_resources_eur": Decimal("700.00"),
    }
    fields.update(overrides)
    return fields


__all__ = [
    "Convention",
    "InternFactory",
    "MembershipFactory",
    "OrganisationFactory",
    "UserFactory",
    "convention_fields",
]
