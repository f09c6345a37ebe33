import itertools

from sqlalchemy import func, select
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from app.auth.models import Role, User
from app.candidates.models import Registration, RegistrationStatus
from app.employers.models import Company, Participation, ParticipationStatus
from app.events.models import Event, Tour, today_in_paris
from app.events.rome import ROME_DOMAINS
from app.extensions import db
from app.interviews.models import (
    Interview,
    InterviewSource,
    InterviewStatus,
    ProfileReview,
    Slot,
    Verdict,
    Wish,
)
from app.interviews.services.slots import slot_times


def test_demo_load_creates_the_six_towns_people_and_an_admin(runner):
    result = runner.invoke(args=["demo", "load", "--with-people"])
    assert result.exit_code == 0, result.output
    assert "admin@jobdating50.example" in result.output
    towns = db.session.scalars(
        select(Event).join(Tour).where(Tour.slug == "jdt-2023").order_by(Event.date)
    ).all()
    assert [e.venue.town for e in towns] == [
        "Wambrechies",
        "Mons-en-Barœul",
        "Ronchin",
        "Wattrelos",
        "Val-de-Marque",
        "Tourcoing",
    ]
    assert db.session.scalar(select(func.count(Tour.id))) == 2
    # One staff account, the admin; accepting employers gave their contacts employer accounts.
    assert db.session.scalar(select(func.count(User.id)).where(User.role != Role.EMPLOYER)) == 1
    # One étape of the upcoming tour is full, with a waiting list; seats are consistent.
    for event in db.session.scalars(select(Event)):
        confirmed = db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
        assert confirmed == event.seats_taken <= event.capacity
    assert (
        db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.status == RegistrationStatus.WAITLISTED
            )
        )
        > 0
    )


def test_demo_load_if_empty_does_nothing_the_second_time(runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0
    assert db.session.scalar(select(func.count(Tour.id))) == 2
    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code != 0


def _load_with_people(runner):
    result = runner.invoke(args=["demo", "load", "--with-people"])
    assert result.exit_code == 0, result.output
    return result


def test_demo_employers_have_valid_sirets_offers_and_slots_at_the_upcoming_tour_only(runner):
    _load_with_people(runner)
    companies = db.session.scalars(select(Company)).unique().all()
    assert len(companies) >= 30
    for company in companies:
        assert stdnum_siren.is_valid(company.siren)
        for establishment in company.establishments:
            assert stdnum_siret.is_valid(establishment.siret), establishment
            assert establishment.siret[:9] == company.siren
    assert any(len(company.establishments) == 2 for company in companies)
    signatories = sum(company.charter_signatory for company in companies)
    assert 0.2 * len(companies) <= signatories <= 0.45 * len(companies)

    upcoming = db.session.scalars(
        select(Event).join(Tour).where(Tour.slug != "jdt-2023").order_by(Event.date)
    ).all()
    for event in upcoming:
        participations = db.session.scalars(
            select(Participation).where(Participation.event_id == event.id)
        ).all()
        assert 15 <= len(participations) <= 20
        for participation in participations:
            assert 1 <= participation.tables <= 3
            assert event.starts_at <= participation.starts_at < participation.ends_at
            assert participation.ends_at <= event.ends_at
            assert 1 <= len(participation.offers) <= 3
            assert all(offer.rome_domain in ROME_DOMAINS for offer in participation.offers)
            slots = db.session.scalar(
                select(func.count(Slot.id)).where(Slot.participation_id == participation.id)
            )
            if participation.status == ParticipationStatus.ACCEPTED:
                assert slots == participation.tables * len(slot_times(participation)) > 0
            else:
                assert slots == 0
    statuses = db.session.scalars(select(Participation.status)).all()
    assert statuses.count(ParticipationStatus.REQUESTED) >= 1
    assert statuses.count(ParticipationStatus.REFUSED) == 1
    # Ordered by date: the étape of the day, then the tour's first (both with bookings).
    assert upcoming[0].date == today_in_paris()
    assert [event.self_booking_open for event in upcoming] == [True, True] + [False] * 5
    of_the_day = db.session.scalars(
        select(Interview).join(Registration).where(Registration.event_id == upcoming[0].id)
    ).all()
    assert len(of_the_day) >= 15

    history = select(Event.id).join(Tour).where(Tour.slug == "jdt-2023")
    assert not db.session.scalar(
        select(func.count(Participation.id)).where(Participation.event_id.in_(history))
    )
    assert not db.session.scalar(
        select(func.count(Registration.id)).where(Registration.event_id.in_(history))
    )


def test_demo_wishes_and_interviews_never_clash(runner):
    _load_with_people(runner)
    wishes = db.session.scalars(select(Wish)).all()
    assert len(wishes) > 200
    for wish in wishes:
        assert wish.participation.status == ParticipationStatus.ACCEPTED
        assert wish.participation.event_id == wish.registration.event_id
    in_their_domains = [
        any(
            offer.rome_domain in wish.registration.candidate.domains
            for offer in wish.participation.offers
        )
        for wish in wishes
    ]
    assert sum(in_their_domains) > len(wishes) / 2
    assert db.session.scalar(
        select(func.count(Registration.id)).where(Registration.shares_profile.is_(True))
    )
    verdicts = set(db.session.scalars(select(ProfileReview.verdict)))
    assert verdicts == {Verdict.SHORTLISTED, Verdict.DECLINED}
    interviews = db.session.scalars(
        select(Interview).where(Interview.status != InterviewStatus.CANCELLED)
    ).all()
    assert len(interviews) >= 15
    assert {interview.source for interview in interviews} <= {
        InterviewSource.SELF,
        InterviewSource.STAFF,
    }
    slot_ids = [interview.slot_id for interview in interviews]
    assert len(slot_ids) == len(set(slot_ids))
    by_candidate = {}
    for interview in interviews:
        assert interview.registration.status == RegistrationStatus.CONFIRMED
        assert interview.slot.participation.event.self_booking_open
        by_candidate.setdefault(interview.registration_id, []).append(interview)
    assert any(len(mine) == 2 for mine in by_candidate.values())
    for mine in by_candidate.values():
        for first, second in itertools.combinations(mine, 2):
            assert first.ends_at <= second.starts_at or second.ends_at <= first.starts_at
            assert first.slot.participation_id != second.slot.participation_id
    declined = {
        (review.participation_id, review.registration_id)
        for review in db.session.scalars(
            select(ProfileReview).where(ProfileReview.verdict == Verdict.DECLINED)
        )
    }
    assert not declined & {
        (interview.slot.participation_id, interview.registration_id) for interview in interviews
    }
