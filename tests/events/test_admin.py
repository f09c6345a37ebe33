"""The back-office of étapes: the overview with its counts, and setting up the tour, venues
and étapes (admins only)."""

import html
import re
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from app.candidates import services as candidate_services
from app.candidates.models import RegistrationStatus
from app.events.models import Event, EventStatus, Tour, Venue
from app.extensions import db
from app.notifications.models import OutboxMessage
from tests.candidates.conftest import assert_seats_match, database_snapshot
from tests.pages import read_page


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def assert_field_error(response, field: str, message: str) -> None:
    """A 422 page naming the field in the error summary and next to the field."""
    assert response.status_code == 422, response.status_code
    page = read_page(response.get_data(as_text=True))
    assert message in page.field_errors[f"{field}-error"], page.field_errors
    anchors = (f"#{field}", f"#{field}-0")  # a radio group links to its first button
    assert any(message in text for href, text in page.summary_links.items() if href in anchors)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- Access -------------------------------------------------------------------------------


def admin_only_urls(event, tour, venue) -> list[str]:
    return [
        "/admin/tournees/nouvelle",
        f"/admin/tournees/{tour.id}/modifier",
        "/admin/lieux/nouveau",
        f"/admin/lieux/{venue.id}/modifier",
        "/admin/etapes/nouvelle",
        f"/admin/etapes/{event.id}/modifier",
    ]


def test_staff_who_are_not_admins_are_refused_the_set_up_pages(staff_client, make_event):
    event = make_event()
    before = database_snapshot()
    for url in admin_only_urls(event, event.tour, event.venue):
        assert staff_client.get(url).status_code == 403, url
        response = staff_client.post(url, data={"name": "Piratée", "capacity": "1"})
        assert response.status_code == 403, url
        assert "Accès refusé" in text_of(response)
    db.session.expire_all()
    assert database_snapshot() == before
    # What staff may open.
    assert staff_client.get("/admin/").status_code == 200
    assert staff_client.get("/admin/lieux/").status_code == 200


def test_anonymous_is_sent_to_the_sign_in_page(client, make_event):
    event = make_event()
    for url in ["/admin/", "/admin/lieux/", *admin_only_urls(event, event.tour, event.venue)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/connexion?next="), url


def test_every_back_office_view_declares_who_may_use_it(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in ("events_admin", "candidates_admin"):
            view = app.view_functions[rule.endpoint]
            assert getattr(view, "access", None) not in (None, "public"), rule.endpoint


# --- Overview -----------------------------------------------------------------------------


def dashboard_row(page: str, town: str) -> tuple[str, list[str]]:
    """The overview's row of one étape, and the texts of its number cells."""
    start = page.index(f">{town}<")
    row = page[start : page.index("</tr>", start)]
    numbers = re.findall(r'<td class="number">(.*?)</td>', row, flags=re.S)
    return row, [re.sub(r"<[^>]+>", "", cell).strip() for cell in numbers]


def test_dashboard_counts_each_event_and_shows_its_status_in_french(
    staff_client, make_event, details
):
    event = make_event(capacity=3, town="Tourcoing")
    roomy = make_event(tour=event.tour, town="Ronchin", capacity=40)
    draft = make_event(tour=event.tour, town="Wattrelos", status=EventStatus.DRAFT, capacity=25)
    registrations = [candidate_services.register(event.id, details()) for _ in range(8)]
    candidate_services.cancel(registrations[0])  # promotes the first waiting
    candidate_services.register(roomy.id, details())
    db.session.commit()

    response = staff_client.get("/admin/")
    assert response.status_code == 200
    page = text_of(response)
    row, numbers = dashboard_row(page, "Tourcoing")
    # confirmed, waiting list, cancelled, capacity, seats left
    assert numbers == ["3", "4", "1", "3", "complet"]
    assert "Publiée" in row and "Inscriptions ouvertes" in row
    row, numbers = dashboard_row(page, "Ronchin")
    assert numbers == ["1", "0", "0", "40", "39"]
    row, numbers = dashboard_row(page, "Wattrelos")
    assert "Brouillon" in row and "Invisible du public" in row
    assert numbers == ["0", "0", "0", "25", "25"]
    assert ">draft<" not in page and ">published<" not in page
    assert f'href="/admin/inscriptions/?event={event.id}"' in page
    assert f'/admin/etapes/{draft.id}/modifier"' not in page  # staff: no edit links


def test_admins_see_the_set_up_links(admin_client, make_event):
    event = make_event()
    page = text_of(admin_client.get("/admin/"))
    assert f'href="/admin/etapes/{event.id}/modifier"' in page
    assert f'href="/admin/tournees/{event.tour.id}/modifier"' in page
    assert f'href="/admin/etapes/nouvelle?tournee={event.tour.id}"' in page


# --- Tours --------------------------------------------------------------------------------


TOUR = {
    "name": "Job Dating Tour 2027",
    "slug": "jdt-2027",
    "year": "2027",
    "min_age": "50",
    "description": "Six étapes.",
}


def test_admin_creates_and_edits_a_tour(admin_client):
    response = admin_client.post("/admin/tournees/nouvelle", data=TOUR)
    assert response.status_code == 302
    tour = db.session.scalars(select(Tour)).one()
    assert (tour.name, tour.slug, tour.year, tour.min_age) == (
        "Job Dating Tour 2027",
        "jdt-2027",
        2027,
        50,
    )

    edit = admin_client.get(f"/admin/tournees/{tour.id}/modifier")
    assert 'value="jdt-2027"' in text_of(edit)
    response = admin_client.post(
        f"/admin/tournees/{tour.id}/modifier",
        data={**TOUR, "slug": "JDT-2027-bis", "min_age": "45"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (tour.slug, tour.min_age) == ("jdt-2027-bis", 45)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": " "}, "name", "Écrivez le nom de la tournée"),
        ({"slug": "JDT 2027 été"}, "slug", "Utilisez seulement des lettres sans accent"),
        ({"year": "deux mille"}, "year", "Écrivez l'année de la tournée en 4 chiffres"),
        ({"year": "27"}, "year", "Écrivez l'année de la tournée en 4 chiffres"),
        ({"min_age": "12"}, "min_age", "Écrivez un âge entre 16 et 99 ans."),
        ({"min_age": ""}, "min_age", "Écrivez l'âge minimum en chiffres"),
        ({"min_age": "5" * 400}, "min_age", "Écrivez l'âge minimum en chiffres"),
        ({"year": "2" * 400}, "year", "Écrivez l'année de la tournée en 4 chiffres"),
    ],
)
def test_tour_form_errors_name_the_field_and_write_nothing(admin_client, overrides, field, message):
    response = admin_client.post("/admin/tournees/nouvelle", data={**TOUR, **overrides})
    assert_field_error(response, field, message)
    assert count(Tour) == 0


def test_a_tour_identifier_is_used_once(admin_client, make_event):
    existing = make_event().tour
    other = make_event().tour
    response = admin_client.post("/admin/tournees/nouvelle", data={**TOUR, "slug": existing.slug})
    assert_field_error(response, "slug", "Une autre tournée utilise déjà l'identifiant")
    assert count(Tour) == 2
    response = admin_client.post(
        f"/admin/tournees/{other.id}/modifier", data={**TOUR, "slug": existing.slug.upper()}
    )
    assert_field_error(response, "slug", "Une autre tournée utilise déjà l'identifiant")
    db.session.expire_all()
    assert other.slug != existing.slug


# --- Venues -------------------------------------------------------------------------------


VENUE = {
    "name": "Salle Allende",
    "address": "Boulevard du Général Leclerc",
    "postcode": "59370",
    "town": "Mons-en-Barœul",
    "transport": "Métro ligne 2, station Mons Sarts.",
    "accessibility": "",
}


def test_admin_creates_and_edits_a_venue(admin_client):
    assert admin_client.post("/admin/lieux/nouveau", data=VENUE).status_code == 302
    venue = db.session.scalars(select(Venue)).one()
    assert (venue.town, venue.transport, venue.accessibility) == (
        "Mons-en-Barœul",
        "Métro ligne 2, station Mons Sarts.",
        "",
    )
    assert "Mons-en-Barœul" in text_of(admin_client.get("/admin/lieux/"))
    response = admin_client.post(
        f"/admin/lieux/{venue.id}/modifier", data={**VENUE, "accessibility": "Ascenseur."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert venue.accessibility == "Ascenseur."


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Écrivez le nom du lieu"),
        ({"address": ""}, "address", "Écrivez le numéro et la rue"),
        ({"postcode": "593"}, "postcode", "Écrivez le code postal en 5 chiffres"),
        ({"town": ""}, "town", "Écrivez la ville"),
        ({"transport": "x" * 1001}, "transport", "1 000 caractères au plus."),
    ],
)
def test_venue_form_errors_name_the_field_and_write_nothing(
    admin_client, make_event, overrides, field, message
):
    venue = make_event().venue
    before = database_snapshot()
    response = admin_client.post("/admin/lieux/nouveau", data={**VENUE, **overrides})
    assert_field_error(response, field, message)
    response = admin_client.post(f"/admin/lieux/{venue.id}/modifier", data={**VENUE, **overrides})
    assert_field_error(response, field, message)
    db.session.rollback()
    assert database_snapshot() == before


# --- Étapes -------------------------------------------------------------------------------


def event_form(tour, venue, today, **overrides) -> dict:
    day = today + timedelta(days=40)
    data = {
        "tour_id": str(tour.id) if tour else "",
        "venue_id": str(venue.id),
        "date": day.isoformat(),
        "starts_at": "09:00",
        "ends_at": "12:30",
        "capacity": "150",
        "registration_opens_on": today.isoformat(),
        "registration_closes_on": (day - timedelta(days=1)).isoformat(),
        "status": "published",
        "notes": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_creates_an_event(admin_client, make_event, today):
    existing = make_event()
    response = admin_client.post(
        "/admin/etapes/nouvelle",
        data=event_form(existing.tour, existing.venue, today, capacity="1 200", date=None)
        | {"date": (today + timedelta(days=40)).strftime("%d/%m/%Y")},
    )
    assert response.status_code == 302, text_of(response)
    event = db.session.scalars(select(Event).where(Event.id != existing.id)).one()
    assert (event.tour_id, event.venue_id, event.capacity, event.seats_taken) == (
        existing.tour_id,
        existing.venue_id,
        1200,
        0,
    )
    assert (event.date, event.starts_at, event.ends_at) == (
        today + timedelta(days=40),
        time(9),
        time(12, 30),
    )
    assert event.status == EventStatus.PUBLISHED
    assert "L'étape de" in text_of(admin_client.get(response.headers["Location"]))


def test_new_event_form_preselects_the_tour(admin_client, make_event):
    tour = make_event().tour
    page = text_of(admin_client.get(f"/admin/etapes/nouvelle?tournee={tour.id}"))
    assert f'<option selected value="{tour.id}">' in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"tour_id": ""}, "tour_id", "Choisissez la tournée de l'étape."),
        ({"tour_id": "999999"}, "tour_id", "Choisissez la tournée de l'étape."),
        ({"venue_id": "abc"}, "venue_id", "Choisissez le lieu de l'étape."),
        ({"date": "31/02/2030"}, "date", "Indiquez la date de l'étape"),
        ({"starts_at": "neuf heures"}, "starts_at", "Indiquez l'heure de début"),
        ({"ends_at": "08:00"}, "ends_at", "L'heure de fin doit être après l'heure de début."),
        ({"capacity": "-5"}, "capacity", "Écrivez un nombre de places entre 0 et 10 000."),
        ({"capacity": "beaucoup"}, "capacity", "Écrivez le nombre de places en chiffres"),
        ({"capacity": "9" * 400}, "capacity", "Écrivez le nombre de places en chiffres"),
        ({"status": "open"}, "status", "Choisissez le statut de l'étape."),
    ],
)
def test_event_form_errors_name_the_field_and_write_nothing(
    admin_client, make_event, today, overrides, field, message
):
    existing = make_event()
    before = database_snapshot()
    response = admin_client.post(
        "/admin/etapes/nouvelle",
        data=event_form(existing.tour, existing.venue, today, **overrides),
    )
    assert_field_error(response, field, message)
    db.session.rollback()
    assert database_snapshot() == before


@pytest.mark.parametrize(
    ("days", "field", "message"),
    [
        (
            (5, 2),
            "registration_closes_on",
            "La clôture des inscriptions doit être le jour de l'ouverture ou après.",
        ),
        ((0, 41), "registration_closes_on", "au plus tard le jour de l'étape"),
    ],
)
def test_registration_dates_must_be_in_order(admin_client, make_event, today, days, field, message):
    existing = make_event()
    opens, closes = (today + timedelta(days=d) for d in days)
    before = database_snapshot()
    response = admin_client.post(
        "/admin/etapes/nouvelle",
        data=event_form(
            existing.tour,
            existing.venue,
            today,
            registration_opens_on=opens.isoformat(),
            registration_closes_on=closes.isoformat(),
        ),
    )
    assert_field_error(response, field, message)
    db.session.rollback()
    assert database_snapshot() == before


def edit_url(event) -> str:
    return f"/admin/etapes/{event.id}/modifier"


def test_admin_edits_an_event(admin_client, make_event, today):
    event = make_event(capacity=10)
    other_venue = make_event().venue
    form = admin_client.get(edit_url(event))
    assert form.status_code == 200
    assert 'name="tour_id"' not in text_of(form)  # the tour is fixed once created
    response = admin_client.post(
        edit_url(event),
        data=event_form(
            None,
            other_venue,
            today,
            tour_id=None,
            starts_at="13:30",
            ends_at="17:00",
            status="draft",
        ),
    )
    assert response.status_code == 302, text_of(response)
    db.session.expire_all()
    assert (event.venue_id, event.starts_at, event.status) == (
        other_venue.id,
        time(13, 30),
        EventStatus.DRAFT,
    )
    page = text_of(admin_client.get(response.headers["Location"]))
    assert f"L'étape de {other_venue.town} est enregistrée." in page


def test_capacity_cannot_go_below_the_seats_taken(admin_client, make_event, details, today):
    event = make_event(capacity=3)
    for _ in range(3):
        candidate_services.register(event.id, details())
    db.session.commit()
    before = database_snapshot()
    response = admin_client.post(
        edit_url(event),
        data=event_form(None, event.venue, today, tour_id=None, capacity="2", starts_at="10:00"),
    )
    assert_field_error(
        response,
        "capacity",
        "La capacité ne peut pas être inférieure aux 3 places déjà prises par des inscriptions confirmées.",
    )
    db.session.rollback()
    assert database_snapshot() == before  # not even the new starting time


def test_a_larger_capacity_confirms_people_from_the_waiting_list(
    admin_client, make_event, details, today
):
    event = make_event(capacity=1)
    registrations = [candidate_services.register(event.id, details()) for _ in range(4)]
    db.session.commit()
    response = admin_client.post(
        edit_url(event), data=event_form(None, event.venue, today, tour_id=None, capacity="3")
    )
    assert response.status_code == 302, text_of(response)
    db.session.expire_all()
    assert [r.status for r in registrations] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]
    assert (event.capacity, event.seats_taken) == (3, 3)
    assert_seats_match(event.id)
    promoted = db.session.scalars(
        select(OutboxMessage.recipient).where(OutboxMessage.kind == "registration_promoted")
    ).all()
    assert sorted(promoted) == sorted(r.candidate.email for r in registrations[1:3])
    page = text_of(admin_client.get(response.headers["Location"]))
    assert "2 personnes de la liste d'attente sont confirmées" in page


def test_a_cancelled_event_confirms_nobody(admin_client, make_event, details, today):
    event = make_event(capacity=0)
    waiting = candidate_services.register(event.id, details())
    db.session.commit()
    response = admin_client.post(
        edit_url(event),
        data=event_form(None, event.venue, today, tour_id=None, capacity="10", status="cancelled"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (event.capacity, event.status, waiting.status) == (
        10,
        EventStatus.CANCELLED,
        RegistrationStatus.WAITLISTED,
    )


@pytest.mark.parametrize("record_id", ["999", "99999999999999999999"])
def test_unknown_records_are_not_found(admin_client, record_id):
    for url in (
        f"/admin/tournees/{record_id}/modifier",
        f"/admin/lieux/{record_id}/modifier",
        f"/admin/etapes/{record_id}/modifier",
    ):
        assert admin_client.get(url).status_code == 404, url
