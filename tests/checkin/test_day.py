"""The rest of the day, on SQLite and PostgreSQL: walk-ins registered and let in, waitlisted
or cancelled people admitted, who can receive someone now (and booking it), employers
arriving (tablet or their own QR link), and closing the day."""

import html
import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.candidates import services as candidates
from app.candidates.models import Registration, RegistrationSource, RegistrationStatus
from app.checkin import day as the_day
from app.checkin import services
from app.checkin.models import CheckIn
from app.employers import services as employers
from app.errors import DomainError
from app.events.models import PARIS
from app.extensions import db
from app.formatting import hour
from app.interviews.models import (
    Interview,
    InterviewSource,
    InterviewStatus,
    ProfileReview,
    Verdict,
)
from app.interviews.services import booking, wishes
from app.notifications.models import OutboxMessage
from tests.interviews.test_services import slots_of


def text_of(response) -> str:
    body = html.unescape(response.get_data(as_text=True))
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def at(hour: int, minute: int = 0) -> datetime:
    from app.events.models import today_in_paris

    return datetime.combine(today_in_paris(), time(hour, minute), tzinfo=PARIS)


def test_a_walk_in_is_registered_on_site_and_let_in(day, staff_user, details):
    event, _people = day
    queued = db.session.scalar(select(func.count(OutboxMessage.id)))
    result = the_day.walk_in(
        event, details(last_name="Nouveau"), actor=services.Actor(user=staff_user)
    )
    db.session.commit()
    assert result.checked_in_now and result.check_in.method.value == "walk_in"
    assert result.registration.source == RegistrationSource.ONSITE
    assert result.registration.created_by_id == staff_user.id
    # Nobody is emailed: the person is in the room.
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == queued


def test_waitlisted_and_cancelled_people_are_admitted_even_when_full(
    make_event, make_registration, staff_user, details
):
    event = make_event(capacity=1, days_ahead=0, closes_before=0)
    first = make_registration(event)
    waiting = make_registration(event)
    assert waiting.status == RegistrationStatus.WAITLISTED
    actor = services.Actor(user=staff_user)
    result = the_day.admit(event, waiting.id, actor=actor)
    db.session.commit()
    assert result.checked_in_now
    db.session.refresh(event)
    assert (event.capacity, event.seats_taken) == (2, 2)  # the room grew by one
    candidates.cancel(first, notify=False)
    db.session.commit()
    # She cancelled, then came anyway, and fills the walk-in form: found, admitted, let in.
    again = the_day.walk_in(event, candidates.details_of(first), actor=actor)
    db.session.commit()
    assert again.registration.id == first.id and again.checked_in_now
    db.session.refresh(event)
    assert event.seats_taken == 2 <= event.capacity
    assert db.session.scalar(select(func.count(CheckIn.id))) == 2


def test_the_walk_in_form_says_what_is_missing(app, staff_client, day):
    event, _people = day
    response = staff_client.post(f"/accueil/etapes/{event.id}/sur-place", data={})
    assert response.status_code == 422
    page = text_of(response)
    assert "Écrivez votre nom." in page and "Cochez cette case après avoir lu" in page
    young = staff_client.post(
        f"/accueil/etapes/{event.id}/sur-place",
        data={
            "last_name": "Jeune",
            "first_name": "Paul",
            "phone": "06 11 22 33 44",
            "birth_year": "1990",
            "postcode": "59000",
            "referral": "other",
            "consent": "y",
        },
    )
    assert young.status_code == 422 and "réservé aux personnes de 50 ans" in text_of(young)
    assert db.session.scalar(select(func.count(CheckIn.id))) == 0
    done = staff_client.post(
        f"/accueil/etapes/{event.id}/sur-place",
        data={
            "last_name": "Carpentier",
            "first_name": "Yves",
            "phone": "06 11 22 33 44",
            "birth_year": "1962",
            "postcode": "59100",
            "domains": ["N"],
            "referral": "other",
            "consent": "y",
            "nonce": "walk-in-nonce-1",
        },
    )
    assert done.status_code == 200 and "Bienvenue Yves Carpentier" in text_of(done)


@pytest.fixture
def employers_today(day, make_participation):
    """Three employers this morning, one table each, 9:00–10:00 (rounds of 20 minutes):
    one recruiting in domain N, one in domain D, one in N that the first person wished."""
    event, people = day
    n_domain = make_participation(event, starts_at=time(9), ends_at=time(10))
    from app.employers.models import ContractType
    from app.employers.services import OfferDetails

    d_domain = make_participation(
        event,
        starts_at=time(9),
        ends_at=time(10),
        offers=[
            OfferDetails(title="Aide-soignant", contract_type=ContractType.CDI, rome_domain="J")
        ],
    )
    wished = make_participation(event, starts_at=time(9), ends_at=time(10))
    return event, people, n_domain, d_domain, wished


def test_who_can_receive_someone_now(employers_today, staff_user):
    event, (sylvie, *_others), n_domain, _d_domain, wished = employers_today
    sylvie.candidate.domains = ["N"]
    wishes.set_wishes(sylvie, [wishes.WishChoice(wished.id)])
    db.session.commit()
    tables = the_day.free_tables(event, sylvie, now=at(9, 5))
    # Her wish first, then the employer in her domain; the other domain is not offered.
    assert [(t.participation.id, t.reason) for t in tables] == [
        (wished.id, "wish"),
        (n_domain.id, "domain"),
    ]
    assert all(time(9, 5) <= t.slot.starts_at <= time(9, 35) for t in tables)
    # Booked with a tap; the employer she now meets is no longer offered, nor its times.
    interview = the_day.book_now(
        event, sylvie.id, tables[0].slot.id, actor=services.Actor(user=staff_user)
    )
    db.session.commit()
    assert interview.source == InterviewSource.STAFF
    assert interview.starts_at == time(9, 20)
    assert the_day.free_tables(event, sylvie, now=at(9, 5)) == []  # 9 h 20 is taken now
    again = the_day.free_tables(event, sylvie, now=at(9, 15))
    assert [(t.participation.id, t.slot.starts_at) for t in again] == [(n_domain.id, time(9, 40))]
    # Too late in the morning: nothing in the next 30 minutes.
    assert the_day.free_tables(event, sylvie, now=at(11)) == []


@pytest.mark.parametrize("slot_id", ["99999999999999999999", "-5", "x"])
def test_a_slot_that_is_no_id_is_a_400_on_the_tablet(staff_client, employers_today, slot_id):
    event, (sylvie, *_others), *_employers = employers_today
    url = f"/accueil/etapes/{event.id}/personnes/{sylvie.id}/employeurs"
    assert staff_client.post(url, data={"slot_id": slot_id}).status_code == 400
    assert db.session.scalar(select(func.count(Interview.id))) == 0


def test_a_declined_candidate_is_not_offered_to_that_employer(employers_today, staff_user):
    event, (sylvie, *_others), n_domain, _d, _wished = employers_today
    sylvie.candidate.domains = ["N"]
    assert n_domain.id in [
        t.participation.id for t in the_day.free_tables(event, sylvie, now=at(9))
    ]
    db.session.add(
        ProfileReview(
            participation_id=n_domain.id,
            registration_id=sylvie.id,
            verdict=Verdict.DECLINED,
            reviewed_by_id=staff_user.id,
        )
    )
    db.session.commit()
    assert n_domain.id not in [
        t.participation.id for t in the_day.free_tables(event, sylvie, now=at(9))
    ]


def test_employers_arrive_from_the_tablet_or_their_own_qr(app, staff_client, employers_today):
    event, _people, n_domain, d_domain, _wished = employers_today
    page = text_of(staff_client.get(f"/accueil/etapes/{event.id}/employeurs"))
    assert "Présents : 0 sur 3." in page
    response = staff_client.post(
        f"/accueil/etapes/{event.id}/employeurs/{n_domain.id}", data={"arrived": "1"}
    )
    assert response.status_code == 302
    page = text_of(staff_client.get(response.headers["Location"]))
    assert "Présents : 1 sur 3." in page and "est arrivé" in page
    # The employer's own link.
    token = employers.arrival_token(d_domain)
    db.session.commit()
    link = f"/accueil/employeur/{token}"
    assert "Nous sommes arrivés" in text_of(app.test_client().get(link))
    arrived = app.test_client().post(link, data={"arrived": "1"})
    assert arrived.status_code == 200 and "Votre arrivée est enregistrée" in text_of(arrived)
    db.session.expire_all()
    assert d_domain.arrived_at is not None
    assert app.test_client().get("/accueil/employeur/" + "x" * 43).status_code == 410
    # An employer of another étape cannot be marked here.
    with pytest.raises(DomainError):
        the_day.mark_arrived(event, 999_999)


def test_closing_the_day_marks_no_shows_and_emails_the_coordinators(
    employers_today, staff_user, make_user
):
    from app.auth.models import Role

    admin = make_user(Role.ADMIN)
    event, (sylvie, helene, jean), n_domain, _d, _wished = employers_today
    slots = slots_of(n_domain)
    booking.book(sylvie.id, slots[0].id, source=InterviewSource.STAFF, notify=False)
    booking.book(helene.id, slots[1].id, source=InterviewSource.STAFF, notify=False)
    db.session.commit()
    services.check_in(event.id, sylvie.ticket_code, actor=services.Actor(user=staff_user))
    the_day.mark_arrived(event, n_domain.id)
    db.session.commit()
    summary = the_day.close_day(event, by=staff_user)
    db.session.commit()
    assert (summary.arrived, summary.no_shows) == (1, 2)
    assert (summary.interviews_held, summary.interviews_missed) == (1, 1)
    assert (summary.employers_present, summary.employers_expected) == (1, 3)
    db.session.expire_all()
    assert helene.no_show_at is not None and jean.no_show_at is not None
    assert sylvie.no_show_at is None
    statuses = dict(db.session.execute(select(Interview.registration_id, Interview.status)).all())
    assert statuses == {sylvie.id: InterviewStatus.HELD, helene.id: InterviewStatus.NO_SHOW}
    emails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "day_summary")
    ).all()
    assert sorted(m.recipient for m in emails) == sorted([staff_user.email, admin.email])
    assert "Absents : 2" in emails[0].text_body
    assert "Inscrits à l'avance attendus : 3" in emails[0].text_body
    board_link = emails[0].text_body.split("Le tableau de bord de l'étape : ")[1].split()[0]
    assert board_link.endswith(f"/accueil/etapes/{event.id}/tableau")
    with pytest.raises(DomainError) as caught:
        the_day.close_day(event)
    assert caught.value.code == "day_closed"
    db.session.rollback()
    assert (
        db.session.scalar(
            select(func.count(Registration.id)).where(Registration.no_show_at.is_not(None))
        )
        == 2
    )


def test_the_live_board_counts_the_morning(app, staff_client, employers_today, staff_user):
    from app.checkin import queries

    event, (sylvie, helene, _jean), n_domain, _d_domain, _wished = employers_today
    slots = slots_of(n_domain)  # 9:00, 9:20, 9:40
    booking.book(sylvie.id, slots[0].id, source=InterviewSource.STAFF, notify=False)
    booking.book(helene.id, slots[1].id, source=InterviewSource.STAFF, notify=False)
    the_day.mark_arrived(event, n_domain.id)
    db.session.commit()
    services.check_in(event.id, sylvie.ticket_code, actor=services.Actor(user=staff_user))
    db.session.commit()
    board = queries.board(event, now=at(9, 25))
    assert (board.expected, board.arrived) == (3, 1)
    assert (board.employers_present, board.employers_expected) == (1, 3)
    # Sylvie's 9:00 is over (held); Hélène's 9:20 has begun without her (missed).
    assert (board.interviews_held, board.interviews_in_progress, board.interviews_missed) == (
        1,
        0,
        1,
    )
    # Expected: Sylvie by 8:45 → counted at the opening, Hélène at 9:05, Jean at the opening.
    assert [(mark, expected) for mark, _arrived, expected in board.timeline[:2]] == [
        ("09:00", 2),
        ("09:15", 3),
    ]
    # Arrived: counted for each quarter begun (9:15 to 9:30 is under way at 9:25), none after.
    assert [(mark, arrived is None) for mark, arrived, _expected in board.timeline[:4]] == [
        ("09:00", False),
        ("09:15", False),
        ("09:30", False),
        ("09:45", True),
    ]
    # Free now: the present employer's table whose next round (9:40) nobody booked; the
    # employers not arrived yet are not shown.
    assert [(t.table, t.starts_at) for t in board.free_now] == [(n_domain.first_table, time(9, 40))]
    assert queries.board(event, now=at(9, 5)).free_now == []  # 9:00 and 9:20 are booked
    response = staff_client.get(f"/api/v1/events/{event.id}/board")
    assert response.status_code == 200 and response.get_json()["arrived"] == 1
    page = text_of(staff_client.get(f"/accueil/etapes/{event.id}/tableau"))
    assert "Candidats arrivés 1 / 3" in page and "Clôturer la journée" in page
    assert staff_client.get(f"/accueil/etapes/{event.id}/grand-ecran").status_code == 200


def test_the_paper_list_and_badges_print_the_expected_people(app, staff_client, day):
    event, (sylvie, helene, jean) = day
    services.check_in(event.id, sylvie.ticket_code, actor=services.Actor())
    db.session.commit()
    page = text_of(staff_client.get(f"/admin/etapes/{event.id}/liste-papier"))
    assert "3 personnes attendues" in page
    for person in (sylvie, helene, jean):
        assert f"{person.ticket_code[:4]}-{person.ticket_code[4:]}" in page
    assert page.index("DUBOIS") < page.index("LEFÈVRE") < page.index("MARTIN")
    badges = text_of(staff_client.get(f"/admin/etapes/{event.id}/badges"))
    assert "3 badges" in badges and "Hélène LEFÈVRE" in badges


def test_staff_close_the_day_from_the_board(app, staff_client, day):
    event, _people = day
    event.starts_at, event.ends_at = time(0, 0), time(0, 1)  # over
    db.session.commit()
    page = text_of(staff_client.get(f"/admin/etapes/{event.id}/cloture"))
    assert "Les 3 personnes confirmées qui ne sont pas arrivées seront comptées absentes" in page
    assert "n'est pas finie" not in page
    event.ends_at = time(23, 59)
    db.session.commit()
    page = text_of(staff_client.get(f"/admin/etapes/{event.id}/cloture"))
    assert "L'étape n'est pas finie : elle se termine à 23 h 59." in page
    response = staff_client.post(f"/admin/etapes/{event.id}/cloture")
    assert response.status_code == 302
    assert "Journée clôturée : 3 absents" in text_of(staff_client.get(response.headers["Location"]))
    again = staff_client.post(f"/admin/etapes/{event.id}/cloture")
    assert "déjà clôturée" in text_of(staff_client.get(again.headers["Location"]))


def test_a_person_let_in_after_the_day_closed_is_present_not_absent(day, staff_user):
    event, (sylvie, helene, _jean) = day
    actor = services.Actor(user=staff_user)
    services.check_in(event.id, sylvie.ticket_code, actor=actor)
    db.session.commit()
    assert the_day.close_day(event).no_shows == 2
    db.session.commit()
    late = services.check_in(event.id, helene.ticket_code, actor=actor, nonce="late-arrival-1")
    db.session.commit()
    assert late.status == services.CHECKED_IN
    db.session.expire_all()
    assert helene.no_show_at is None
    summary = the_day.day_summary(event)
    assert (summary.arrived, summary.no_shows) == (2, 1)


def test_outside_the_etapes_day_and_hours_no_table_is_offered_and_the_tablet_says_why(
    employers_today, staff_client
):
    event, (sylvie, *_others), *_employers = employers_today
    sylvie.candidate.domains = ["N"]
    db.session.commit()
    assert the_day.free_tables(event, sylvie, now=at(9, 5))  # during the étape: offered
    # The day before at the same hour, the 9 h 20 table is not "free now".
    assert the_day.free_tables(event, sylvie, now=at(9, 5) - timedelta(days=1)) == []
    assert the_day.no_free_table_yet(event, now=at(9, 5)) is None
    assert the_day.no_free_table_yet(event, now=at(7)) == (
        "Les entretiens commencent à 9\u00a0h : les tables libres se proposent à partir "
        "de 8\u00a0h\u00a030."
    )
    assert the_day.no_free_table_yet(event, now=at(8, 30)) is None
    ends = hour(event.ends_at)
    assert the_day.no_free_table_yet(event, now=at(23, 59)) == (
        f"Les entretiens de la journée sont finis (fin à {ends})."
    )
    tomorrow = the_day.no_free_table_yet(event, now=at(9) + timedelta(days=1))
    assert tomorrow.startswith("Cette étape a lieu le ")
    # The page says so in place of "no employer has a free table": here, the étape moved
    # to tomorrow.
    event.date += timedelta(days=1)
    db.session.commit()
    page = text_of(staff_client.get(f"/accueil/etapes/{event.id}/personnes/{sylvie.id}/employeurs"))
    assert "Cette étape a lieu le " in page
    assert "les tables libres se proposent ce jour-là." in page
    assert "Aucun employeur de ses vœux" not in page
