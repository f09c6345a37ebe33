"""Staff tools per étape: employers and their requests, the grid, and booking, moving or
cancelling an interview for someone."""

import html
from datetime import time

import pytest
from sqlalchemy import func, select

from app.employers.models import Participation, ParticipationStatus
from app.extensions import db
from app.interviews.models import Interview, InterviewSource, InterviewStatus, Slot
from app.interviews.services import booking
from app.notifications.models import OutboxMessage


def slots_of(participation) -> list[Slot]:
    return list(
        db.session.scalars(
            select(Slot)
            .where(Slot.participation_id == participation.id)
            .order_by(Slot.table_number, Slot.starts_at)
        )
    )


def kinds() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def book(registration, slot) -> Interview:
    interview = booking.book(registration.id, slot.id, source=InterviewSource.STAFF)
    db.session.commit()
    return interview


def active_interviews() -> list[Interview]:
    return list(
        db.session.scalars(select(Interview).where(Interview.status != InterviewStatus.CANCELLED))
    )


# --- Access ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/admin/etapes/{event}/employeurs"),
        ("get", "/admin/etapes/{event}/grille"),
        ("get", "/admin/etapes/{event}/reserver"),
        ("post", "/admin/etapes/{event}/reserver"),
        ("post", "/admin/etapes/{event}/employeurs/{participation}/accepter"),
        ("post", "/admin/etapes/{event}/employeurs/{participation}/refuser"),
        ("post", "/admin/etapes/{event}/employeurs/{participation}/horaires"),
    ],
)
def test_anonymous_is_sent_to_login(client, make_event, make_participation, method, path):
    event = make_event()
    participation = make_participation(event, accepted=False)
    url = path.format(event=event.id, participation=participation.id)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]
    db.session.refresh(participation)
    assert participation.status == ParticipationStatus.REQUESTED


def test_wrong_ids_and_another_etapes_things_are_not_found(
    staff_client, make_event, make_participation, make_registration
):
    event, other = make_event(), make_event()
    theirs = make_participation(other)
    their_slot = slots_of(theirs)[0]
    registration = make_registration(event)
    their_registration = make_registration(other)
    interview = book(their_registration, their_slot)
    base = f"/admin/etapes/{event.id}"
    for url in (
        "/admin/etapes/999999/employeurs",
        "/admin/etapes/999999/grille",
        f"{base}/employeurs/999999/horaires",
        f"{base}/employeurs/{theirs.id}/horaires",
        f"{base}/employeurs/{theirs.id}/refuser",
        f"{base}/reserver?creneau={their_slot.id}",
        f"{base}/reserver?inscription={their_registration.id}",
        f"{base}/reserver?creneau=99999999999999999999",  # larger than any id
        f"{base}/reserver?inscription=-1",
        f"{base}/reserver?creneau=²",
        f"{base}/entretiens/{interview.id}/deplacer",
        f"{base}/entretiens/{interview.id}/annuler",
        f"{base}/entretiens/999999/annuler",
    ):
        assert staff_client.get(url).status_code == 404, url
    response = staff_client.post(
        f"{base}/reserver", data={"registration_id": registration.id, "slot_id": their_slot.id}
    )
    assert response.status_code == 404
    response = staff_client.post(f"{base}/employeurs/{theirs.id}/horaires", data={"tables": "2"})
    assert response.status_code == 404
    assert len(active_interviews()) == 1


# --- Employers -------------------------------------------------------------------------


def test_list_shows_requests_first_then_accepted_with_their_load(
    staff_client, make_event, make_participation, make_registration
):
    event = make_event()
    accepted = make_participation(event, tables=2, starts_at=time(9), ends_at=time(10))
    requested = make_participation(event, accepted=False, tables=3)
    book(make_registration(event), slots_of(accepted)[0])

    response = staff_client.get(f"/admin/etapes/{event.id}/employeurs")
    assert response.status_code == 200
    page = text_of(response)
    assert "1 demande à traiter" in page
    assert "1 employeur accepté" in page
    requested_name = requested.establishment.display_name
    accepted_name = accepted.establishment.display_name
    assert page.index(requested_name) < page.index(accepted_name)
    assert requested.establishment.siret in page
    assert accepted.contact_email in page
    assert "Préparateur de commandes" in page  # the offer
    assert "Accepter" in page and "Refuser" in page
    # 2 tables × 3 interviews, 1 booked: 17 %.
    row = page[page.index(accepted_name) :]
    assert "n° 1 à 2" in row
    assert "9 h – 10 h" in row
    assert "17 %" in row


def test_accept_creates_slots_and_emails_the_employer(staff_client, make_event, make_participation):
    event = make_event()
    participation = make_participation(event, accepted=False, tables=2)
    assert slots_of(participation) == []

    response = staff_client.post(
        f"/admin/etapes/{event.id}/employeurs/{participation.id}/accepter",
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "participe à l'étape" in text_of(response)
    db.session.refresh(participation)
    assert participation.status == ParticipationStatus.ACCEPTED
    assert len(slots_of(participation)) == 6
    assert "participation_accepted" in kinds()

    # Twice: the request is already decided, nothing more happens.
    response = staff_client.post(
        f"/admin/etapes/{event.id}/employeurs/{participation.id}/accepter",
        follow_redirects=True,
    )
    assert "Cette demande a déjà été traitée." in text_of(response)
    assert kinds().count("participation_accepted") == 1


def test_refuse_with_a_reason_emails_the_employer(staff_client, make_event, make_participation):
    event = make_event()
    participation = make_participation(event, accepted=False)
    url = f"/admin/etapes/{event.id}/employeurs/{participation.id}/refuser"

    response = staff_client.post(url, data={"reason": "  "})
    assert response.status_code == 422
    assert "Écrivez le motif du refus" in text_of(response)
    db.session.refresh(participation)
    assert participation.status == ParticipationStatus.REQUESTED
    assert "participation_refused" not in kinds()

    response = staff_client.post(
        url, data={"reason": "L'étape est complète côté employeurs."}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "est refusée" in text_of(response)
    db.session.refresh(participation)
    assert participation.status == ParticipationStatus.REFUSED
    assert participation.refusal_reason == "L'étape est complète côté employeurs."
    assert "participation_refused" in kinds()
    assert slots_of(participation) == []


def test_changing_hours_lists_the_stranded_interviews(
    staff_client, make_event, make_participation, make_registration
):
    event = make_event()
    participation = make_participation(event, tables=1, starts_at=time(9), ends_at=time(10))
    late = slots_of(participation)[-1]  # 9:40
    registration = make_registration(event, last_name="Lefèvre", first_name="Annie")
    book(registration, late)

    response = staff_client.get(f"/admin/etapes/{event.id}/employeurs/{participation.id}/horaires")
    assert response.status_code == 200
    assert 'value="09:00"' in response.get_data(as_text=True)

    response = staff_client.post(
        f"/admin/etapes/{event.id}/employeurs/{participation.id}/horaires",
        data={"tables": "2", "starts_at": "09:00", "ends_at": "09:30"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "1 entretien réservé n'entre plus dans ces horaires" in page
    stranded = page[page.index('id="hors-horaires"') :]
    assert "Annie Lefèvre" in stranded
    interview = db.session.scalar(select(Interview))
    assert f"/entretiens/{interview.id}/deplacer" in stranded
    db.session.refresh(participation)
    assert (participation.tables, participation.ends_at) == (2, time(9, 30))
    # The booked slot is kept, out of hours; each table has its 9:00 slot.
    assert interview.status == InterviewStatus.SCHEDULED
    assert [(s.table_number, s.starts_at, s.in_hours) for s in slots_of(participation)] == [
        (1, time(9), True),
        (1, time(9, 40), False),
        (2, time(9), True),
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"tables": "0", "starts_at": "09:00", "ends_at": "10:00"}, "entre 1 et 50 tables"),
        ({"tables": "51", "starts_at": "09:00", "ends_at": "10:00"}, "entre 1 et 50 tables"),
        ({"tables": "deux", "starts_at": "09:00", "ends_at": "10:00"}, "en chiffres"),
        (
            {"tables": "1", "starts_at": "10:00", "ends_at": "09:00"},
            "L'heure de fin doit venir après l'heure de début.",
        ),
        ({"tables": "1", "starts_at": "9 heures", "ends_at": "10:00"}, "au format HH:MM"),
        (
            {"tables": "1", "starts_at": "08:00", "ends_at": "10:00"},
            "doivent être compris dans ceux de l'étape",
        ),
    ],
)
def test_bad_hours_are_refused_and_nothing_is_written(
    staff_client, make_event, make_participation, data, message
):
    event = make_event()
    participation = make_participation(event, tables=1, starts_at=time(9), ends_at=time(10))
    before = [(s.id, s.starts_at, s.in_hours) for s in slots_of(participation)]

    response = staff_client.post(
        f"/admin/etapes/{event.id}/employeurs/{participation.id}/horaires", data=data
    )
    assert response.status_code == 422
    page = text_of(response)
    assert message in page
    assert "Le formulaire contient" in page
    db.session.expire_all()
    participation = db.session.get(Participation, participation.id)
    assert (participation.tables, participation.starts_at, participation.ends_at) == (
        1,
        time(9),
        time(10),
    )
    assert [(s.id, s.starts_at, s.in_hours) for s in slots_of(participation)] == before


# --- Grid ------------------------------------------------------------------------------


def test_grid_shows_booked_candidates_free_slots_and_hours_outside(
    staff_client, make_event, make_participation, make_registration
):
    event = make_event()
    early = make_participation(event, tables=2, starts_at=time(9), ends_at=time(10))
    late = make_participation(event, tables=1, starts_at=time(10), ends_at=time(11))
    registration = make_registration(event, last_name="Lefèvre", first_name="Annie")
    interview = book(registration, slots_of(early)[1])  # table 1 at 9:20

    response = staff_client.get(f"/admin/etapes/{event.id}/grille")
    assert response.status_code == 200
    page = text_of(response)
    assert early.establishment.display_name in page
    assert late.establishment.display_name in page
    assert "Table 1" in page and "Table 2" in page and "Table 3" in page  # late's table is 3
    assert "Annie Lefèvre" in page
    assert f'href="/admin/inscriptions/{registration.id}"' in page
    assert f"/entretiens/{interview.id}/deplacer" in page
    # 3 + 3 + 3 slots, one booked; the 9:00 row is outside late's hours.
    assert "1 entretien réservé, 8 créneaux libres" in page
    assert "hors horaires" in page
    free = slots_of(late)[0]
    assert f"/admin/etapes/{event.id}/reserver?creneau={free.id}" in page
    assert 'href="/static/css/grid.css"' in page


def test_grid_of_an_etape_without_employers(staff_client, make_event):
    event = make_event()
    response = staff_client.get(f"/admin/etapes/{event.id}/grille")
    assert response.status_code == 200
    assert "Aucun employeur accepté" in text_of(response)


# --- Booking, moving, cancelling for someone -------------------------------------------


def test_book_for_someone_from_a_free_cell(
    staff_client, make_event, make_participation, make_registration
):
    event = make_event()
    participation = make_participation(event, tables=1, starts_at=time(9), ends_at=time(10))
    slot = slots_of(participation)[1]
    registration = make_registration(event, last_name="Lefèvre", first_name="Annie")
    make_registration(event, last_name="Durand")
    base = f"/admin/etapes/{event.id}/reserver"

    # Search by name (accents do not matter), then by ticket code.
    page = text_of(staff_client.get(f"{base}?creneau={slot.id}&q=lefevre"))
    assert "1 personne trouvée" in page
    assert "Durand" not in page
    assert f"inscription={registration.id}" in page
    page = text_of(staff_client.get(f"{base}?q={registration.ticket_code}"))
    assert "1 personne trouvée" in page

    response = staff_client.get(f"{base}?creneau={slot.id}&inscription={registration.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<option selected value="{slot.id}">' in page

    response = staff_client.post(
        base, data={"registration_id": registration.id, "slot_id": slot.id}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Entretien réservé pour Annie Lefèvre" in text_of(response)
    (interview,) = active_interviews()
    assert (interview.slot_id, interview.registration_id) == (slot.id, registration.id)
    assert interview.source == InterviewSource.STAFF
    assert interview.booked_by_id is not None
    assert "employer_interview_booked" in kinds()


def test_book_needs_a_slot(staff_client, make_event, make_participation, make_registration):
    event = make_event()
    make_participation(event)
    registration = make_registration(event)
    response = staff_client.post(
        f"/admin/etapes/{event.id}/reserver", data={"registration_id": registration.id}
    )
    assert response.status_code == 422
    assert "Choisissez un créneau." in text_of(response)
    assert active_interviews() == []


def test_a_slot_just_taken_offers_the_next_free_ones(
    staff_client, make_event, make_participation, make_registration
):
    event = make_event()
    participation = make_participation(event, tables=1, starts_at=time(9), ends_at=time(10))
    first, second, third = slots_of(participation)
    book(make_registration(event), first)
    registration = make_registration(event)

    response = staff_client.post(
        f"/admin/etapes/{event.id}/reserver",
        data={"registration_id": registration.id, "slot_id": first.id},
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "Ce créneau vient d'être pris." in page
    assert f'name="slot_id" value="{second.id}"' in page
    assert f'name="slot_id" value="{third.id}"' in page
    assert "9 h 20 – 9 h 35, table 1" in page
    assert len(active_interviews()) == 1

    # An alternative's button books it.
    staff_client.post(
        f"/admin/etapes/{event.id}/reserver",
        data={"registration_id": registration.id, "slot_id": second.id},
    )
    assert {(i.registration_id, i.slot_id) for i in active_interviews()} >= {
        (registration.id, second.id)
    }


def test_a_clash_is_told_next_to_the_slot(
    staff_client, make_event, make_participation, make_registration
):
    event = make_event()
    one = make_participation(event, tables=1, starts_at=time(9), ends_at=time(10))
    two = make_participation(event, tables=1, starts_at=time(9), ends_at=time(10))
    registration = make_registration(event)
    book(registration, slots_of(one)[0])
    response = staff_client.post(
        f"/admin/etapes/{event.id}/reserver",
        data={"registration_id": registration.id, "slot_id": slots_of(two)[0].id},
    )
    assert response.status_code == 422
    assert "déjà un entretien à ce moment-là" in text_of(response)
    assert len(active_interviews()) == 1


def test_move_an_interview(staff_client, make_event, make_participation, make_registration):
    event = make_event()
    participation = make_participation(event, tables=1, starts_at=time(9), ends_at=time(10))
    first, second, _ = slots_of(participation)
    interview = book(make_registration(event), first)
    url = f"/admin/etapes/{event.id}/entretiens/{interview.id}/deplacer"

    page = staff_client.get(url).get_data(as_text=True)
    assert f'value="{second.id}"' in page
    assert f'value="{first.id}"' not in page

    response = staff_client.post(url, data={"slot_id": second.id}, follow_redirects=True)
    assert response.status_code == 200
    assert "est déplacé" in text_of(response)
    db.session.refresh(interview)
    assert interview.status == InterviewStatus.CANCELLED
    (moved,) = active_interviews()
    assert moved.slot_id == second.id

    # The old one can no longer be moved.
    response = staff_client.get(url, follow_redirects=True)
    assert "Cet entretien n'est plus prévu." in text_of(response)


def test_moving_to_a_taken_slot_offers_others_and_changes_nothing(
    staff_client, make_event, make_participation, make_registration
):
    event = make_event()
    participation = make_participation(event, tables=1, starts_at=time(9), ends_at=time(10))
    first, second, third = slots_of(participation)
    interview = book(make_registration(event), first)
    book(make_registration(event), second)

    response = staff_client.post(
        f"/admin/etapes/{event.id}/entretiens/{interview.id}/deplacer",
        data={"slot_id": second.id},
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "Ce créneau vient d'être pris." in page
    assert f'name="slot_id" value="{third.id}"' in page
    db.session.refresh(interview)
    assert interview.status == InterviewStatus.SCHEDULED
    assert interview.slot_id == first.id


def test_cancel_an_interview_after_confirming(
    staff_client, make_event, make_participation, make_registration
):
    event = make_event()
    participation = make_participation(event)
    registration = make_registration(event, last_name="Lefèvre", first_name="Annie")
    interview = book(registration, slots_of(participation)[0])
    url = f"/admin/etapes/{event.id}/entretiens/{interview.id}/annuler"

    response = staff_client.get(url)
    assert response.status_code == 200
    assert "Annuler l'entretien de Annie Lefèvre ?" in text_of(response)
    db.session.refresh(interview)
    assert interview.status == InterviewStatus.SCHEDULED

    response = staff_client.post(f"{url}?depuis=employeurs")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/etapes/{event.id}/employeurs")
    db.session.refresh(interview)
    assert interview.status == InterviewStatus.CANCELLED
    assert "employer_interview_cancelled" in kinds()
    assert db.session.scalar(select(func.count(Interview.id))) == 1


def test_dashboard_links_to_each_etapes_staff_tools(staff_client, make_event):
    event = make_event()
    page = staff_client.get("/admin/").get_data(as_text=True)
    assert f'href="/admin/etapes/{event.id}/employeurs"' in page


# --- Interview settings and employers added by staff ---------------------------------------


def test_staff_change_the_interview_settings_and_slots_follow(
    app, staff_client, make_event, make_participation, make_registration
):
    event = make_event()
    participation = make_participation(event, starts_at=time(9), ends_at=time(10))
    registration = make_registration(event)
    late = slots_of(participation)[2]  # 9:40–9:55
    book(registration, late)
    response = staff_client.post(
        f"/admin/etapes/{event.id}/reglages",
        data={
            "interview_minutes": "25",
            "changeover_minutes": "5",
            "max_wishes": "3",
            "max_interviews": "4",
            "self_booking_open": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (event.interview_minutes, event.max_wishes, event.self_booking_open) == (25, 3, True)
    assert event.max_interviews == 4
    starts = [(s.starts_at, s.in_hours) for s in slots_of(participation)]
    assert (time(9), True) in starts and (time(9, 30), True) in starts
    assert (time(9, 40), False) in starts  # the booked one stays, out of hours
    assert len(active_interviews()) == 1
    page = text_of(staff_client.get(f"/admin/etapes/{event.id}/employeurs"))
    assert registration.candidate.full_name in page


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("interview_minutes", "2", "entre 5 et 120 minutes"),
        ("changeover_minutes", "abc", "en chiffres"),
        ("max_wishes", "50", "de 1 à 20 employeurs"),
        ("max_interviews", "0", "de 1 à 10 entretiens"),
        ("max_interviews", "", "combien d'entretiens"),
    ],
)
def test_bad_interview_settings_say_what_to_do(
    app, staff_client, make_event, field, value, message
):
    event = make_event()
    data = {
        "interview_minutes": "15",
        "changeover_minutes": "5",
        "max_wishes": "5",
        "max_interviews": "3",
    }
    data[field] = value
    response = staff_client.post(f"/admin/etapes/{event.id}/reglages", data=data)
    assert response.status_code == 422
    assert message in text_of(response)
    db.session.expire_all()
    assert (event.interview_minutes, event.changeover_minutes, event.max_wishes) == (15, 5, 5)
    assert event.max_interviews == 3


def test_staff_add_an_employer_who_is_invited(app, staff_client, make_event):
    from tests.employers.test_routes import request_form

    event = make_event()
    assert staff_client.get(f"/admin/etapes/{event.id}/employeurs/nouveau").status_code == 200
    response = staff_client.post(
        f"/admin/etapes/{event.id}/employeurs/nouveau", data=request_form([event.id])
    )
    assert response.status_code == 302, text_of(response)
    participation = db.session.scalar(select(Participation))
    assert participation.status == ParticipationStatus.ACCEPTED
    assert len(slots_of(participation)) > 0
    assert kinds() == ["participation_accepted"]


def test_adding_an_employer_with_a_bad_siret_writes_nothing(app, staff_client, make_event):
    from tests.employers.test_routes import request_form

    event = make_event()
    response = staff_client.post(
        f"/admin/etapes/{event.id}/employeurs/nouveau",
        data=request_form([event.id], siret="123"),
    )
    assert response.status_code == 422
    assert "SIRET n'est pas valide" in text_of(response)
    assert db.session.scalar(select(func.count(Participation.id))) == 0
