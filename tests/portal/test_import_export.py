"""Export of the lists (CSV, Excel; never a passport number, never another organisation) and import of
interns and conventions (all or nothing, through the services, with a per-row report)."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conventions.models import Convention, DocumentItem, Intern, TransitionLog
from hostportal.models import Membership, Organisation
from tests.conftest import NOW
from tests.factories import InternFactory

pytestmark = pytest.mark.django_db

INTERN_HEADER = (
    "last name,first name,nationality,date of birth,email,country of residence,passport number,"
    "passport expires on"
)
CONVENTION_HEADER = (
    "intern’s email,category,sending establishment,tutor name,start date,end date,weekly hours,"
    "hourly gratification (EUR),monthly resources (EUR)"
)
FRENCH_HEADER = (
    "nom,prénom,nationalité,date de naissance,e-mail,pays de résidence,numéro de passeport,"
    "passeport valable jusqu’au"
)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, kind: str, content: bytes | str, name: str = "file.csv") -> str:
    data = content.encode() if isinstance(content, str) else content
    with time_machine.travel(NOW, tick=False):
        response = client.post("/import/", {"kind": kind, "file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    return response.content.decode()


def confirm(client: Client) -> Any:
    with time_machine.travel(NOW, tick=False):
        return client.post("/import/", {"action": "confirm"}, follow=True)


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- export ----------------------------------------------------------------------------------------------


def test_csv_export_has_headers_iso_dates_and_no_passport(
    alice: Any, submitted_convention: Any, claire: Any, chu: Organisation
) -> None:
    InternFactory(organisation=chu, last_name="Outsider")
    with time_machine.travel(NOW, tick=False):
        response = client_for(alice).get("/conventions/export/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0][:3] == ["Convention no.", "last name", "first name"] and "Next deadline" in rows[0]
    assert rows[1][0] == str(submitted_convention.pk) and "2027-03-01" in rows[1] and "2026-12-02" in rows[1]
    interns = csv_rows(client_for(alice).get("/interns/export/"))
    text = str(interns)
    assert submitted_convention.intern.passport_number not in text and "passport" not in text.lower()
    assert "Outsider" not in text and len(interns) == 2


def test_excel_export_is_in_the_readers_language(alice: Any, submitted_convention: Any) -> None:
    Membership.objects.filter(user=alice).update(language="fr")
    with time_machine.travel(NOW, tick=False):
        response = client_for(alice).get("/conventions/export/?format=xlsx&state=submitted")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    assert "Prochaine échéance" in headers and "nom" in headers
    assert sheet.max_row == 2


def test_export_follows_the_filters_and_the_viewer_may_export(bob: Any, submitted_convention: Any) -> None:
    assert len(csv_rows(client_for(bob).get("/conventions/export/?state=draft"))) == 1
    assert len(csv_rows(client_for(bob).get("/conventions/export/?state=submitted"))) == 2


def test_the_outsider_exports_only_their_organisation(claire: Any, submitted_convention: Any) -> None:
    assert len(csv_rows(client_for(claire).get("/conventions/export/"))) == 1
    assert len(csv_rows(client_for(claire).get("/interns/export/"))) == 1


def test_a_formula_in_a_cell_is_exported_as_text(alice: Any, acme: Organisation) -> None:
    InternFactory(organisation=acme, last_name="=HYPERLINK(1)")
    assert "'=HYPERLINK(1)" in str(csv_rows(client_for(alice).get("/interns/export/")))


# --- import: interns -------------------------------------------------------------------------------------


GOOD_INTERNS = (
    f"{INTERN_HEADER}\n"
    "Ndiaye,Awa,SN,2001-02-03,awa@mail.example,Senegal,A1234567,2031-01-01\n"
    "Sato,Kenji,Japon,14/03/2000,kenji@mail.example,JP,TK7654321,01/06/2032\n"
)


def test_a_good_intern_file_is_previewed_then_imported(alice: Any) -> None:
    client = client_for(alice)
    page = upload(client, "interns", GOOD_INTERNS)
    assert "2 rows are ready to import" in page and Intern.objects.count() == 0  # the preview writes nothing
    response = confirm(client)
    assert response.redirect_chain[-1][0] == "/interns/" and "2 rows imported." in response.content.decode()
    kenji = Intern.objects.get(last_name="Sato")
    assert kenji.nationality == "JP" and str(kenji.date_of_birth) == "2000-03-14"
    assert kenji.passport_number == "TK7654321"


def test_one_bad_row_among_good_ones_imports_nothing_and_names_the_row(alice: Any) -> None:
    bad = GOOD_INTERNS + "Roux,Léa,Atlantis,2001-13-45,not-an-email,FR,B1,2031-01-01\n"
    page = upload(client_for(alice), "interns", bad)
    assert "nothing was imported" in page and Intern.objects.count() == 0
    assert "“Atlantis” is not a known country" in page and "is not a date" in page
    assert '<td data-label="Row">4</td>' in page
    assert "confirm" not in page.lower().split("check the file")[0].split("nothing was imported")[1]


def test_a_service_error_is_reported_on_its_column_in_french(alice: Any) -> None:
    Membership.objects.filter(user=alice).update(language="fr")
    content = f"{FRENCH_HEADER}\nNdiaye,Awa,SN,2001-02-03,pas-un-email,SN,A1,2031-01-01\n"
    page = upload(client_for(alice), "interns", content)
    assert "rien n’a été importé" in page and "e-mail" in page and Intern.objects.count() == 0


def test_an_intern_already_there_is_refused(alice: Any, intern: Intern) -> None:
    content = f"{INTERN_HEADER}\nX,Y,SN,2001-02-03,{intern.email},SN,A1,2031-01-01\n"
    assert "already exists" in upload(client_for(alice), "interns", content)


def test_a_semicolon_excel_csv_in_windows_1252_is_read(alice: Any) -> None:
    content = GOOD_INTERNS.replace(",", ";").replace("Japon", "Sénégal").encode("cp1252")
    assert "2 rows are ready to import" in upload(client_for(alice), "interns", content)


def test_an_xlsx_file_is_read(alice: Any) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for line in GOOD_INTERNS.splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    client = client_for(alice)
    assert "2 rows are ready" in upload(client, "interns", buffer.getvalue(), "interns.xlsx")
    confirm(client)
    assert Intern.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00binary", "not a CSV or Excel"),
        (b"", "The submitted file is empty."),
        (b"   \n", "The file is empty."),
        (b"colour,size\nred,1\n", "unknown columns: “colour”, “size”"),
        (INTERN_HEADER.encode() + b"\n", "no data rows"),
        (b"PK\x03\x04not really a zip", "could not be read"),
        (INTERN_HEADER.encode() + b'\n"' + b"x" * 200_000 + b'",a\n', "could not be read"),
        (INTERN_HEADER.encode() + b"\n" + b"y" * 600 + b",A,SN,2001-01-01,,SN,A1,2031-01-01\n", "too long"),
    ],
)
def test_malformed_files_get_a_clear_message(alice: Any, content: bytes, message: str) -> None:
    page = upload(client_for(alice), "interns", content)
    assert message in page and Intern.objects.count() == 0


# --- import: conventions -----------------------------------------------------------------------------------


def test_a_good_convention_file_goes_through_the_services(alice: Any, acme: Organisation) -> None:
    InternFactory(organisation=acme, email="awa@mail.example")
    InternFactory(
        organisation=acme, first_name="Kenji", last_name="Sato", date_of_birth="2000-03-14", email=""
    )
    content = (
        "intern’s email,intern’s last name,intern’s first name,intern’s date of birth,category,"
        "sending establishment,tutor name,start date,end date,weekly hours,hourly gratification (EUR),"
        "monthly resources (EUR)\n"
        'AWA@mail.example,,,,entreprise,Université de Dakar,Paul Roux,2027-03-01,2027-08-31,35,"4,50",700\n'
        ",sato,kenji,14/03/2000,Student stage in a company (R426-16 1°),Kyoto,Anne Blanc,"
        "2027-04-01,2027-09-30,35,4.5,700\n"
    )
    client = client_for(alice)
    assert "2 rows are ready to import" in upload(client, "conventions", content)
    assert Convention.objects.count() == 0
    response = confirm(client)
    assert response.redirect_chain[-1][0] == "/conventions/"
    conventions = list(Convention.objects.order_by("start_date"))
    assert len(conventions) == 2 and conventions[0].filing_deadline is not None
    assert DocumentItem.objects.filter(convention=conventions[0]).exists()  # the service's checklist
    logs = TransitionLog.objects.filter(transition="create", actor=alice, channel="web")
    assert logs.count() == 2


def test_an_unknown_or_ambiguous_intern_is_refused(alice: Any, acme: Organisation, chu: Organisation) -> None:
    InternFactory(organisation=chu, email="elsewhere@mail.example")
    InternFactory(
        organisation=acme, first_name="Twin", last_name="Same", date_of_birth="2000-01-01", email=""
    )
    InternFactory(
        organisation=acme, first_name="Twin", last_name="Same", date_of_birth="2000-01-01", email=""
    )
    content = (
        "intern’s email,intern’s last name,intern’s first name,intern’s date of birth,category,"
        "start date,end date\n"
        "elsewhere@mail.example,,,,entreprise,2027-03-01,2027-08-31\n"
        ",Same,Twin,2000-01-01,entreprise,2027-03-01,2027-08-31\n"
        ",,,,entreprise,2027-03-01,2027-08-31\n"
    )
    page = upload(client_for(alice), "conventions", content)
    assert "No intern “elsewhere@mail.example” in Acme Robotics" in page
    assert "Several interns match “Twin Same”" in page
    assert "Name the intern" in page and Convention.objects.count() == 0


def test_a_bad_convention_row_rolls_back_the_good_ones(alice: Any, intern: Intern) -> None:
    content = (
        f"{CONVENTION_HEADER}\n"
        f"{intern.email},entreprise,Dakar,Paul,2027-03-01,2027-08-31,35,4.5,700\n"
        f"{intern.email},entreprise,Dakar,Paul,2027-03-01,2026-08-31,35,4.5,700\n"
    )
    page = upload(client_for(alice), "conventions", content)
    assert "1 error: nothing was imported" in page and '<td data-label="Row">3</td>' in page
    assert Convention.objects.count() == 0 and TransitionLog.objects.count() == 0


# --- permissions and templates ------------------------------------------------------------------------------


def test_the_viewer_gets_403_on_the_import(bob: Any) -> None:
    client = client_for(bob)
    assert client.get("/import/").status_code == 403
    response = client.post(
        "/import/", {"kind": "interns", "file": SimpleUploadedFile("a.csv", GOOD_INTERNS.encode())}
    )
    assert response.status_code == 403 and Intern.objects.count() == 0
    assert client.get("/import/template/interns.csv").status_code == 403


def test_the_outsider_imports_into_their_own_organisation_only(claire: Any, chu: Organisation) -> None:
    client = client_for(claire)
    upload(client, "interns", GOOD_INTERNS)
    confirm(client)
    assert set(Intern.objects.values_list("organisation", flat=True)) == {chu.pk}


def test_the_templates_have_the_header_row_in_the_readers_language(alice: Any) -> None:
    Membership.objects.filter(user=alice).update(language="fr")
    client = client_for(alice)
    rows = csv_rows(client.get("/import/template/interns.csv"))
    assert rows == [
        [
            "nom",
            "prénom",
            "nationalité",
            "date de naissance",
            "e-mail",
            "pays de résidence",
            "numéro de passeport",
            "passeport valable jusqu’au",
            "langue",
            "informer le stagiaire",
        ]
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/import/template/conventions.xlsx").content)).active
    assert sheet["A1"].value == "e-mail du stagiaire"
    assert client.get("/import/template/passwords.csv").status_code == 404
    # The French template imports as it is.
    french = ",".join(rows[0]) + "\nNdiaye,Awa,Sénégal,03/02/2001,,SN,A1,01/01/2031,français,oui\n"
    assert "1 ligne est prête à être importée" in upload(client, "interns", french)
    confirm(client)
    awa = Intern.objects.get()
    assert awa.language == "fr" and awa.notify_intern and awa.nationality == "SN"


def test_confirm_without_a_preview_says_so(alice: Any) -> None:
    response = confirm(client_for(alice))
    assert "Nothing to import" in response.content.decode()
