"""python manage.py seed_demo [--once]: three host organisations, their users, and files in every state.

Dates are relative to today (Europe/Paris), so the demo always shows deadlines that are near, past and
far. Everything goes through conventions.services as the system (actor None, channel "command"); past
events are recorded with a backdated `now`, and the implicit decisions come from the real deadline sweep.
The whole seed is one transaction: it is there completely or not at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify
from stdnum import luhn

from conventions import services
from conventions.models import (
    Avenant,
    Channel,
    Convention,
    Intern,
    ResidencePermitApplication,
    VisaApplication,
)
from conventions.services.interns import intern_create
from hostportal.models import Membership, Organisation

COMMAND = Channel.COMMAND
Role = Membership.Role

# (name, kind, first 8 digits of the SIREN: the check digits are computed)
ORGANISATIONS = [
    ("Acme Robotics", Organisation.Kind.COMPANY, "73282932"),
    ("Formapro Continue", Organisation.Kind.TRAINING, "44306184"),
    ("CHU de Lyon-Est", Organisation.Kind.HEALTH, "26690002"),
]
OPERATOR = ("admin", "Ada", "Operator")
# (username, first name, last name, organisation, role, language, email preference)
MEMBERS = [
    ("alice", "Alice", "Martin", "Acme Robotics", Role.MANAGER, "fr", Membership.EmailPreference.IMMEDIATELY),
    ("bob", "Bob", "Lefebvre", "Acme Robotics", Role.VIEWER, "en", Membership.EmailPreference.DIGEST),
    ("claire", "Claire", "Moreau", "CHU de Lyon-Est", Role.MANAGER, "fr", Membership.EmailPreference.DIGEST),
    (
        "david",
        "David",
        "Bernard",
        "Formapro Continue",
        Role.EDITOR,
        "en",
        Membership.EmailPreference.IMMEDIATELY,
    ),
]
USERNAMES = [OPERATOR[0], *(member[0] for member in MEMBERS)]

STAGE = {
    "entreprise": {"monthly_resources_eur": Decimal("700.00"), "hourly_gratification_eur": Decimal("4.60")},
    "formation_continue": {"monthly_resources_eur": Decimal("1900.00")},
    "hopital": {"hourly_gratification_eur": Decimal("5.00")},
}
SENDER = {
    "entreprise": "Université partenaire",
    "formation_continue": "Employeur à l'étranger",
    "hopital": "Hôpital partenaire (convention de coopération)",
}


def siret_from(siren_base: str) -> str:
    """A SIRET whose SIREN and whole number pass the Luhn check (head office: NIC 0001 + check digit)."""
    siren = siren_base + luhn.calc_check_digit(siren_base)
    head = siren + "0001"
    return head + luhn.calc_check_digit(head)


@dataclass
class Seeder:
    today: dt.date
    now: dt.datetime
    organisations: dict[str, Organisation] = field(default_factory=dict)
    interns: int = 0

    def start_for_filing_in(self, days: int) -> int:
        """The start offset (in days) whose filing deadline (start - 2 months, R426-20) is `days` away."""
        start = self.day(days) + relativedelta(months=2)
        return (start - self.today).days

    def ago(self, days: int) -> dt.datetime:
        """The same wall-clock time `days` calendar days ago in Europe/Paris: the `now` of a past event.

        Not `now - timedelta(days)`: across a DST change that lands on the previous calendar day at
        night, and the services would find the event's date in their future.
        """
        local = timezone.localtime(self.now)
        return dt.datetime.combine(self.day(-days), local.time(), tzinfo=local.tzinfo)

    def day(self, offset: int) -> dt.date:
        return self.today + dt.timedelta(days=offset)

    # --- organisations and people -----------------------------------------------------------------

    def create_organisations(self) -> None:
        for name, kind, siren_base in ORGANISATIONS:
            slug = name.split()[0].lower()
            organisation = Organisation(
                name=name, kind=kind, siret=siret_from(siren_base), address="1 place de la Comédie, Lyon",
                contact_email=f"rh@{slug}.example",
            )  # fmt: skip
            organisation.full_clean()  # the SIRET validator
            organisation.save()
            self.organisations[name] = organisation

    def create_users(self, password: str) -> None:
        user_model = get_user_model()
        username, first, last = OPERATOR
        user_model.objects.create_superuser(
            username=username, password=password, first_name=first, last_name=last, email=self.email(username)
        )
        for username, first, last, organisation, role, language, preference in MEMBERS:
            user = user_model.objects.create_user(
                username=username, password=password, is_staff=True, first_name=first, last_name=last,
                email=self.email(username),
            )  # fmt: skip
            Membership.objects.create(
                user=user, organisation=self.organisations[organisation], role=role, language=language,
                email_preference=preference,
            )  # fmt: skip

    @staticmethod
    def email(username: str) -> str:
        return f"{username}@hostportal.example"

    def intern(
        self, organisation: str, first: str, last: str, nationality: str, residence: str = ""
    ) -> Intern:
        self.interns += 1
        return intern_create(
            actor=None, organisation=self.organisations[organisation], first_name=first, last_name=last,
            nationality=nationality, country_of_residence=residence or nationality,
            date_of_birth=dt.date(1998, 1, 1) + dt.timedelta(days=97 * self.interns),
            email=f"{slugify(first)}.{slugify(last)}@mail.example",
            passport_number=f"{nationality}{7_301_000 + self.interns * 7919}",
            passport_expires_on=self.day(900 + 30 * self.interns), language="en",
        )  # fmt: skip

    # --- conventions -----------------------------------------------------------------------------

    def convention(
        self, intern: Intern, category: str, start: int, months: int = 5, created: int = 0, **extra: Any
    ) -> Convention:
        """A complete convention starting `start` days from today, drafted `created` days ago."""
        start_date = self.day(start)
        end_date = start_date + relativedelta(months=months, days=-1)
        return services.convention_create(
            actor=None, organisation=intern.organisation, intern=intern, channel=COMMAND,
            now=self.ago(created), category=category, start_date=start_date, end_date=end_date,
            sending_establishment=SENDER[category], tutor_name="Jeanne Martin",
            tutor_email="tutor@hostportal.example", weekly_hours=Decimal("35"), **(STAGE[category] | extra),
        )  # fmt: skip

    def submitted(self, convention: Convention, received: int) -> Convention:
        """Filed, received by the administration `received` days ago."""
        return services.convention_submit(
            actor=None, convention=convention, received_on=self.day(-received), channel=COMMAND,
            now=self.ago(received),
        )  # fmt: skip

    def decided(
        self, convention: Convention, decision: str, days_ago: int, reference: str = ""
    ) -> Convention:
        return services.convention_record_decision(
            actor=None, convention=convention, decision=decision, decided_on=self.day(-days_ago),
            reference=reference, channel=COMMAND, now=self.ago(days_ago),
        )  # fmt: skip

    def validated(
        self, intern: Intern, category: str, start: int, months: int, visa_expires_in: int | None = None
    ) -> Convention:
        """A stage that started `-start` days ago, filed and validated well before; the intern came with a
        long-stay visa (expiring `visa_expires_in` days from today, else at the end of the stage), arrived
        3 days before the start and validated the visa with the OFII 20 days later."""
        filed = -start + 90
        convention = self.convention(intern, category, start=start, months=months, created=filed + 5)
        self.submitted(convention, received=filed)
        convention = self.decided(
            convention, "validated", days_ago=filed - 20, reference=f"VISA-{convention.pk:05d}"
        )
        expires = self.day(visa_expires_in) if visa_expires_in is not None else convention.end_date
        visa = self.visa_issued(convention, applied=filed - 25, issued=filed - 40, expires_on=expires)
        arrived = -start + 3
        self.visa_event(services.visa_record_arrival, visa, arrived_on=self.day(-arrived), days_ago=arrived)
        self.visa_event(
            services.visa_record_ofii_validation,
            visa,
            validated_on=self.day(20 - arrived),
            days_ago=arrived - 20,
        )
        return convention

    # --- the visa step (VLS-TS « stagiaire », CESEDA R431-16) ---------------------------------------------

    def visa_applied(self, convention: Convention, days_ago: int) -> VisaApplication:
        return services.visa_apply(
            actor=None, visa=convention.visa, applied_on=self.day(-days_ago),
            consulate=f"Consulat général de France ({convention.intern.get_nationality_display()})",
            channel=COMMAND, now=self.ago(days_ago),
        )  # fmt: skip

    def visa_issued(
        self, convention: Convention, applied: int, issued: int, expires_on: dt.date
    ) -> VisaApplication:
        """Applied for `applied` days ago, issued `issued` days ago, valid from a week before the start."""
        visa = self.visa_applied(convention, applied)
        return services.visa_record_decision(
            actor=None, visa=visa, decision="issued", decided_on=self.day(-issued),
            reference=f"VLS-{convention.pk:05d}", valid_from=convention.start_date - dt.timedelta(days=7),
            expires_on=expires_on, channel=COMMAND, now=self.ago(issued),
        )  # fmt: skip

    def visa_event(self, service: Any, visa: VisaApplication, *, days_ago: int, **dates: dt.date) -> None:
        service(actor=None, visa=visa, channel=COMMAND, now=self.ago(days_ago), **dates)

    def seed_visas(self) -> dict[str, VisaApplication]:
        """A visa being applied for, and an intern who arrived 76 days ago and has not yet validated the
        visa with the OFII: due in about two weeks (arrival + 3 months)."""
        acme, chu = "Acme Robotics", "CHU de Lyon-Est"
        visas: dict[str, VisaApplication] = {}
        upcoming = self.convention(self.intern(acme, "Kenji", "Sato", "JP"), "entreprise", 75, created=45)
        self.submitted(upcoming, received=40)
        upcoming = self.decided(upcoming, "validated", days_ago=12, reference="VISA-SATO")
        visas["applied"] = self.visa_applied(upcoming, days_ago=6)
        arrived = 76
        kwame = self.convention(
            self.intern(chu, "Kwame", "Mensah", "GH"),
            "hopital",
            -(arrived - 2),
            months=6,
            created=arrived + 120,
        )
        self.submitted(kwame, received=arrived + 110)
        kwame = self.decided(kwame, "validated", days_ago=arrived + 90, reference="VISA-MENSAH")
        visa = self.visa_issued(kwame, applied=arrived + 80, issued=arrived + 60, expires_on=kwame.end_date)
        self.visa_event(services.visa_record_arrival, visa, arrived_on=self.day(-arrived), days_ago=arrived)
        visas["awaiting_ofii"] = VisaApplication.objects.get(pk=visa.pk)
        return visas

    def seed_conventions(self) -> dict[str, Convention]:
        acme, forma, chu = "Acme Robotics", "Formapro Continue", "CHU de Lyon-Est"
        files: dict[str, Convention] = {}
        # Dates chosen so that the demo has reminders due today: filing deadline in 7 days, silence
        # deadlines in 2 and 7 days (the lead times of the reminder rules).
        files["draft_on_time"] = self.convention(
            self.intern(acme, "Amina", "Diallo", "SN"), "entreprise", self.start_for_filing_in(7)
        )
        files["draft_late"] = self.convention(self.intern(acme, "Rafael", "Souza", "BR"), "entreprise", 40, 6)
        files["draft_hospital"] = self.convention(self.intern(chu, "Fatou", "Sow", "SN"), "hopital", 120)
        algerian = self.convention(self.intern(acme, "Yacine", "Benali", "DZ"), "entreprise", 75, created=30)
        files["submitted"] = self.submitted(algerian, received=28)  # 30 days of silence: 2 days left
        programme = self.convention(
            self.intern(chu, "Minh", "Nguyen", "VN"), "hopital", 50, created=10, programme="intergovernmental"
        )
        self.submitted(programme, received=8)  # 15 days: 7 days left
        # The acknowledgment of receipt states the implicit decision on the day after (CRPA R112-5).
        files["submitted_programme"] = services.convention_record_acknowledgment(
            actor=None, convention=programme, acknowledged_on=self.day(8), channel=COMMAND, now=self.ago(6)
        )
        files["documents_requested"] = self.documents_requested(self.intern(forma, "Priya", "Sharma", "IN"))
        refused = self.convention(self.intern(acme, "Wei", "Chen", "CN"), "entreprise", 60, created=32)
        self.submitted(refused, received=30)
        files["refused"] = self.decided(refused, "refused", days_ago=2, reference="REFUS-2231")
        silent = self.convention(self.intern(acme, "Omar", "El Amrani", "MA"), "entreprise", 45, created=42)
        files["refused_by_silence"] = self.submitted(silent, received=40)  # the sweep refuses it
        files["not_required_eu"] = self.not_required(self.intern(acme, "Anna", "Schmidt", "DE"), "entreprise")
        canadian = self.intern(forma, "Émilie", "Tremblay", "CA")
        files["not_required_canadian"] = self.not_required(canadian, "formation_continue")
        withdrawn = self.convention(
            self.intern(acme, "Lucas", "Pereira", "BR"), "entreprise", 100, created=10
        )
        files["withdrawn"] = services.convention_withdraw(
            actor=None, convention=withdrawn, channel=COMMAND, comment="The intern chose another host.",
            now=self.ago(3),
        )  # fmt: skip
        return files

    def documents_requested(self, intern: Intern) -> Convention:
        """The administration asked for documents 10 days ago and set them due in 7 days (CRPA L114-5)."""
        convention = self.convention(intern, "formation_continue", 90, months=8, created=27)
        self.submitted(convention, received=25)
        return services.convention_request_documents(
            actor=None, convention=convention, requested_on=self.day(-10), due_on=self.day(7),
            channel=COMMAND, comment="Proof of resources missing.", now=self.ago(10),
        )  # fmt: skip

    def not_required(self, intern: Intern, category: str) -> Convention:
        convention = self.convention(intern, category, 60, months=6, created=4)
        return services.convention_mark_not_required(
            actor=None, convention=convention, channel=COMMAND, now=self.ago(4)
        )

    # --- avenants and carte de séjour applications ----------------------------------------------------

    def avenant(self, convention: Convention, extra_months: int, created: int) -> Avenant:
        return services.avenant_create(
            actor=None, convention=convention,
            requested_end_date=convention.effective_end_date + relativedelta(months=extra_months),
            reason="The project needs more time.", channel=COMMAND, now=self.ago(created),
        )  # fmt: skip

    def avenant_submitted(self, avenant: Avenant, received: int) -> Avenant:
        return services.avenant_submit(
            actor=None,
            avenant=avenant,
            received_on=self.day(-received),
            channel=COMMAND,
            now=self.ago(received),
        )

    def seed_avenants(self) -> dict[str, Avenant]:
        acme, forma, chu = "Acme Robotics", "Formapro Continue", "CHU de Lyon-Est"
        avenants: dict[str, Avenant] = {}
        linh = self.validated(self.intern(acme, "Linh", "Tran", "VN"), "entreprise", start=-100, months=5)
        avenants["draft"] = self.avenant(linh, 1, created=1)
        # A company stage's avenant has no implicit decision (R426-21 covers only 2° and 3°): received 16
        # days ago, it waits for an explicit answer and the sweep leaves it alone; the stage ends in a month.
        hana = self.validated(self.intern(acme, "Hana", "Kim", "KR"), "entreprise", start=-125, months=5)
        avenants["entreprise_submitted"] = self.avenant_submitted(
            self.avenant(hana, 1, created=18), received=16
        )
        moussa = self.validated(self.intern(forma, "Moussa", "Ndiaye", "SN"), "formation_continue", -150, 6)
        avenants["submitted"] = self.avenant_submitted(self.avenant(moussa, 3, created=5), received=3)
        # Received 20 days ago: the 15 days of silence are over, the sweep accepts it (R426-21). The visa
        # expires in 90 days: the carte de séjour window (R431-5) opened 30 days ago and closes in 30 days.
        thiago = self.validated(
            self.intern(chu, "Thiago", "Almeida", "BR"), "hopital", start=-120, months=5, visa_expires_in=90
        )
        avenants["accepted_by_silence"] = self.avenant_submitted(
            self.avenant(thiago, 2, created=22), received=20
        )
        arjun = self.validated(
            self.intern(forma, "Arjun", "Patel", "IN"), "formation_continue", -200, 7, visa_expires_in=110
        )
        submitted = self.avenant_submitted(self.avenant(arjun, 4, created=25), received=12)
        avenants["validated"] = services.avenant_record_decision(
            actor=None, avenant=submitted, decision="validated", decided_on=self.day(-8),
            reference="AVN-0042", channel=COMMAND, now=self.ago(8),
        )  # fmt: skip
        return avenants

    def file_permit(self, avenant: Avenant) -> ResidencePermitApplication:
        """The validated avenant opened a carte de séjour application: file it at the préfecture."""
        permit = ResidencePermitApplication.objects.get(avenant=avenant)
        return services.permit_file(
            actor=None, permit=permit, filed_on=self.day(-4), prefecture="Préfecture du Rhône",
            channel=COMMAND, now=self.ago(4),
        )  # fmt: skip


def seed(*, today: dt.date, now: dt.datetime, password: str) -> dict[str, Any]:
    seeder = Seeder(today=today, now=now)
    seeder.create_organisations()
    seeder.create_users(password)
    conventions = seeder.seed_conventions()
    avenants = seeder.seed_avenants()
    visas = seeder.seed_visas()
    permit = seeder.file_permit(avenants["validated"])
    report = services.sweep_deadlines(now=now)
    return {
        "conventions": conventions, "avenants": avenants, "visas": visas, "permit": permit, "sweep": report,
    }  # fmt: skip


class Command(BaseCommand):
    help = "Create the demo organisations, users and files (every state), with dates relative to today."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Do nothing (and succeed) when the demo data already exists."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        names = [name for name, _, _ in ORGANISATIONS]
        if Organisation.objects.filter(name__in=names).exists():
            if options["once"]:
                self.stdout.write(
                    "seed_demo --once: the demo organisations already exist; nothing was created."
                )
                return
            raise CommandError(
                "The demo data already exists (organisations " + ", ".join(names) + "): seeding again would "
                "duplicate it. Use --once to skip when present, or start from an empty database."
            )
        taken = get_user_model().objects.filter(username__in=USERNAMES).values_list("username", flat=True)
        if taken:
            raise CommandError(
                f"Users {', '.join(sorted(taken))} exist already: the demo needs these usernames."
            )
        password = settings.HOSTPORTAL_DEMO_PASSWORD
        now = timezone.now()
        with transaction.atomic():
            result = seed(today=timezone.localdate(now), now=now, password=password)
        self.report(result, password)

    def report(self, result: dict[str, Any], password: str) -> None:
        sweep = result["sweep"]
        self.stdout.write(
            f"Demo data created. The sweep refused {len(sweep.conventions_refused)} convention(s) and "
            f"accepted {len(sweep.avenants_accepted)} avenant(s) by silence."
        )
        for model in (Convention, Avenant, VisaApplication, ResidencePermitApplication):
            counts = model._default_manager.values_list("state").annotate(n=Count("pk")).order_by("state")
            listed = ", ".join(f"{state} {n}" for state, n in counts)
            self.stdout.write(f"  {model._meta.verbose_name_plural}: {listed}")
        self.stdout.write(f"Log in at {settings.SITE_URL}/admin/ with the password {password!r}:")
        self.stdout.write(f"  {OPERATOR[0]:<8} {OPERATOR[1]} {OPERATOR[2]}: superuser (operator)")
        for username, first, last, organisation, role, _, _ in MEMBERS:
            self.stdout.write(f"  {username:<8} {first} {last}: {role}, {organisation}")
