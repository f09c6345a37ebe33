"""Scheduling an étape, on SQLite and PostgreSQL: export → solve → publish, fixed
interviews that keep their place, vetoes, re-publishing that notifies only the people whose
day changed, refusals that name the interview at fault, and `flask schedule`."""

import html
import json
import time as time_module
from datetime import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.interviews.models import (
    Interview,
    InterviewSource,
    InterviewStatus,
    ScheduleRun,
    Verdict,
)
from app.interviews.services import booking, reviews, scheduling, slots, wishes
from app.notifications.models import OutboxMessage
from tests.interviews.test_services import slots_of

SELF = InterviewSource.SELF


def schedule_emails() -> list[tuple[str, str]]:
    return sorted(
        db.session.execute(
            select(OutboxMessage.kind, OutboxMessage.recipient).where(
                OutboxMessage.kind.in_(["schedule_published", "employer_schedule_published"])
            )
        ).all()
    )


def days() -> set[tuple[int, int, int, time]]:
    return {
        (i.registration_id, i.slot.participation_id, i.slot.table_number, i.starts_at)
        for i in db.session.scalars(
            select(Interview).where(Interview.status != InterviewStatus.CANCELLED)
        )
    }


@pytest.fixture
def etape(make_event, make_participation, make_registration, staff_user):
    """One employer with one table and three rounds (9:00, 9:20, 9:40), a second one, and
    four candidates who all want the first; the first candidate self-booked 9:20."""
    event = make_event(self_booking_open=True, interview_minutes=15, changeover_minutes=5)
    popular = make_participation(event, tables=1, starts_at=time(9), ends_at=time(10))
    other = make_participation(event, tables=1, starts_at=time(9), ends_at=time(10))
    people = [
        make_registration(event, first_name=name, email=f"{name.lower()}@exemple.fr")
        for name in ("Annie", "Bruno", "Chantal", "Didier")
    ]
    for person in people:
        wishes.set_wishes(person, [wishes.WishChoice(popular.id), wishes.WishChoice(other.id)])
    booking.book(people[0].id, slots_of(popular)[1].id, source=SELF, notify=False)
    db.session.commit()
    return event, popular, other, people


def test_export_solve_publish_round_trip(etape, staff_user):
    event, popular, other, people = etape
    export = scheduling.export_instance(event)
    instance = export.instance
    assert instance["slots"][:4] == ["09:00", "09:20", "09:40", "10:00"]  # the étape's rhythm
    assert [(e["id"], e["available"]) for e in instance["employers"]] == [
        (f"P{popular.id}", ["09:00", "09:40"]),
        (f"P{other.id}", ["09:00", "09:40"]),
    ]
    assert instance["fixed"] == [
        {"candidate": f"R{people[0].id}", "employer": f"P{popular.id}", "table": 1, "slot": "09:20"}
    ]
    _export, solution = scheduling.solve_event(event)
    stats = solution["stats"]
    # 3 rounds × 2 employers = 6 interviews at most; everybody gets at least one.
    assert stats["scheduled"] == stats["upper_bound"] == 6
    assert stats["candidates_without_interview"] == 0
    assert solution["baseline"]["scheduled"] <= stats["scheduled"]
    booked = scheduling.publish(event, solution, by=staff_user)
    db.session.commit()
    assert len(booked) == 5 and all(i.source == InterviewSource.SCHEDULER for i in booked)
    # The self-booked interview kept its place.
    assert (people[0].id, popular.id, 1, time(9, 20)) in days()
    # Everyone with a new interview and both employers are told, once each.
    assert schedule_emails() == sorted(
        [("schedule_published", f"{p.candidate.first_name.lower()}@exemple.fr") for p in people]
        + [("employer_schedule_published", popular.contact_email)]
        + [("employer_schedule_published", other.contact_email)]
    )


def test_the_etape_sets_the_most_interviews_per_candidate(etape):
    event, _popular, _other, people = etape
    assert scheduling.export_instance(event).instance["default_max_interviews"] == 3
    event.max_interviews = 1
    db.session.commit()
    assert scheduling.export_instance(event).instance["default_max_interviews"] == 1
    _export, solution = scheduling.solve_event(event)
    per_person = {}
    for interview in solution["interviews"]:
        per_person[interview["candidate"]] = per_person.get(interview["candidate"], 0) + 1
    assert set(per_person.values()) == {1}
    # Annie's self-booked interview is her one; the others share the three other tables.
    assert solution["stats"]["scheduled"] == 4 and len(per_person) == len(people)


def test_re_publishing_notifies_only_the_people_whose_day_changed(
    etape, make_registration, staff_user
):
    event, _popular, other, people = etape
    scheduling.publish(event, scheduling.solve_event(event)[1], by=staff_user)
    db.session.commit()
    sent = len(schedule_emails())
    # Nothing changed: publishing again books nothing and emails nobody.
    assert scheduling.publish(event, scheduling.solve_event(event)[1], by=staff_user) == []
    db.session.commit()
    assert len(schedule_emails()) == sent
    # Bruno cancels his interview with the second employer; Émile registers and wishes it.
    bruno = next(
        i for i in booking.active_interviews_of(people[1].id) if i.slot.participation_id == other.id
    )
    booking.cancel(bruno, notify=False)
    emile = make_registration(event, first_name="Emile", email="emile@exemple.fr")
    wishes.set_wishes(emile, [wishes.WishChoice(other.id)])
    db.session.commit()
    before = days()
    booked = scheduling.publish(event, scheduling.solve_event(event)[1], by=staff_user)
    db.session.commit()
    assert [i.registration_id for i in booked] == [emile.id]
    assert before <= days()  # published interviews never move
    emails = db.session.scalars(
        select(OutboxMessage.recipient)
        .where(OutboxMessage.kind.in_(["schedule_published", "employer_schedule_published"]))
        .order_by(OutboxMessage.id)
    ).all()[sent:]
    # Bruno's day changed when he cancelled, not at this publication.
    assert sorted(emails) == sorted(["emile@exemple.fr", other.contact_email])


def test_a_declined_candidate_is_never_scheduled_with_that_employer(etape, staff_user):
    event, popular, _other, people = etape
    people[2].shares_profile = True
    reviews.review(popular, people[2], Verdict.DECLINED, staff_user)
    db.session.commit()
    solution = scheduling.solve_event(event)[1]
    assert (f"R{people[2].id}", f"P{popular.id}") not in {
        (i["candidate"], i["employer"]) for i in solution["interviews"]
    }


def test_an_interview_left_out_of_hours_is_named_and_nothing_is_solved(etape):
    event, popular, _other, people = etape
    stranded = slots.change_hours(popular, tables=1, starts_at=time(9, 40), ends_at=time(10))
    db.session.commit()
    assert [i.registration_id for i in stranded] == [people[0].id]
    with pytest.raises(scheduling.SchedulingError) as caught:
        scheduling.solve_event(event)
    assert caught.value.code == "schedule_invalid"
    assert caught.value.interview_id == stranded[0].id
    assert "Annie" in caught.value.message and "en dehors des horaires" in caught.value.message


def test_a_slot_taken_after_solving_stops_the_publication(etape, staff_user):
    event, popular, _other, people = etape
    solution = scheduling.solve_event(event)[1]
    planned = next(i for i in solution["interviews"] if i["candidate"] == f"R{people[3].id}")
    slot = next(
        s
        for s in slots_of(db.session.get(type(popular), int(planned["employer"][1:])))
        if s.starts_at.strftime("%H:%M") == planned["slot"]
    )
    # Meanwhile, someone else books that very slot.
    intruder = people[1] if planned["candidate"] != f"R{people[1].id}" else people[2]
    booking.cancel_all_of(intruder, notify=False)
    booking.book(intruder.id, slot.id, source=SELF, notify=False)
    db.session.commit()
    before = days()
    with pytest.raises(scheduling.SchedulingError) as caught:
        scheduling.publish(event, solution, by=staff_user)
    db.session.rollback()
    assert caught.value.code == "schedule_conflict"
    assert "Relancez le planning" in caught.value.message
    assert days() == before and schedule_emails() == []


def test_flask_schedule_export_and_run(app, runner, etape, tmp_path):
    event, _popular, _other, _people = etape
    path = tmp_path / "etape.json"
    result = runner.invoke(args=["schedule", "export", str(event.id), str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text())["fixed"][0]["slot"] == "09:20"
    result = runner.invoke(args=["schedule", "run", str(event.id)])
    assert result.exit_code == 0 and "6 entretiens sur une borne de 6" in result.stdout
    assert "préparation" in result.stderr and "[100%]" in result.stderr  # progress as it goes
    assert db.session.scalar(select(func.count(Interview.id))) == 1  # nothing published
    result = runner.invoke(args=["schedule", "run", str(event.id), "--publish"])
    assert result.exit_code == 0 and "Publié : 5 nouveaux entretiens" in result.output
    db.session.expire_all()
    assert len(days()) == 6
    result = runner.invoke(args=["schedule", "run", "999999"])
    assert result.exit_code == 2 and "introuvable" in result.output


def wait_for_the_run(client, url: str) -> str:
    """The planning page once its run has finished (it is computed in a thread)."""
    for _ in range(150):
        page = client.get(url).get_data(as_text=True)
        if "Calcul en cours" not in page:
            return page
        time_module.sleep(0.2)
    raise AssertionError("the scheduling run did not finish")


def test_staff_run_preview_and_publish_from_the_back_office(app, staff_client, etape):
    event, _popular, _other, _people = etape
    app.config["SCHEDULER_TIME_LIMIT"] = 2
    url = f"/admin/etapes/{event.id}/planning"
    page = staff_client.get(url).get_data(as_text=True)
    assert "Calculer le planning" in page
    response = staff_client.post(f"{url}/calculer")
    assert response.status_code == 302
    page = html.unescape(wait_for_the_run(staff_client, url))
    assert "Proposition à vérifier" in page
    assert "Premier arrivé, premier servi" in page
    assert "Tous les candidats qui ont fait des vœux ont au moins un entretien." in page
    assert "Didier" in page  # each candidate's day
    assert db.session.scalar(select(func.count(Interview.id))) == 1  # nothing booked yet
    run = db.session.scalar(select(ScheduleRun))
    status = staff_client.get(f"{url}/{run.id}/etat").get_json()
    assert status == {"status": "done", "progress": 1.0, "message": status["message"]}
    response = staff_client.post(f"{url}/{run.id}/publier", follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    assert "Planning publié : 5 entretiens réservés." in page
    db.session.expire_all()
    assert len(days()) == 6
    # A published run cannot be published twice.
    response = staff_client.post(f"{url}/{run.id}/publier", follow_redirects=True)
    assert "Ce planning ne peut pas être publié." in html.unescape(response.get_data(as_text=True))
    assert len(days()) == 6


def test_a_run_that_cannot_schedule_names_the_interview(app, staff_client, etape):
    event, popular, _other, _people = etape
    app.config["SCHEDULER_TIME_LIMIT"] = 2
    stranded = slots.change_hours(popular, tables=1, starts_at=time(9, 40), ends_at=time(10))
    db.session.commit()
    url = f"/admin/etapes/{event.id}/planning"
    staff_client.post(f"{url}/calculer")
    page = html.unescape(wait_for_the_run(staff_client, url))
    assert "Le planning n'a pas pu être calculé." in page
    assert "Annie" in page and "en dehors des horaires de l'employeur" in page
    assert f"/admin/etapes/{event.id}/entretiens/{stranded[0].id}/deplacer" in page


def test_kept_interviews_stay_and_removed_ones_are_not_proposed_again(
    app, staff_client, etape, staff_user
):
    event, _popular, other, people = etape
    app.config["SCHEDULER_TIME_LIMIT"] = 2
    url = f"/admin/etapes/{event.id}/planning"
    staff_client.post(f"{url}/calculer")
    wait_for_the_run(staff_client, url)
    run = db.session.scalar(select(ScheduleRun))
    proposal = {(i["candidate"], i["employer"]): i for i in run.solution["interviews"]}
    # Two of the people proposed to the second employer: one kept, one removed.
    bruno, chantal = [p for p in people if (f"R{p.id}", f"P{other.id}") in proposal][:2]
    kept = proposal[f"R{bruno.id}", f"P{other.id}"]
    for action, registration in (("pin", bruno), ("remove", chantal)):
        response = staff_client.post(
            f"{url}/{run.id}/ajuster",
            data={
                "action": action,
                "registration_id": registration.id,
                "participation_id": other.id,
            },
        )
        assert response.status_code == 302
    page = html.unescape(staff_client.get(url).get_data(as_text=True))
    assert "gardé" in page and "Entretiens retirés" in page
    # Run again: the kept one is in place, the removed pair is gone.
    staff_client.post(f"{url}/calculer")
    wait_for_the_run(staff_client, url)
    db.session.expire_all()
    again = db.session.scalars(select(ScheduleRun).order_by(ScheduleRun.id.desc())).first()
    assert again.id != run.id
    assert [bruno.id, other.id, kept["table"], kept["slot"]] in again.pins
    interviews = {(i["candidate"], i["employer"]): i for i in again.solution["interviews"]}
    assert interviews[f"R{bruno.id}", f"P{other.id}"] == kept
    assert (f"R{chantal.id}", f"P{other.id}") not in interviews
    # Restored, the pair may come back; a pin the proposal does not hold is refused.
    with pytest.raises(scheduling.DomainError):
        scheduling.adjust(again, "pin", chantal.id, other.id)
    scheduling.adjust(again, "restore", chantal.id, other.id)
    assert again.removals == []
    # Neither a pair the proposal does not hold, nor ids that are none, can be removed.
    with pytest.raises(scheduling.DomainError):
        scheduling.adjust(again, "remove", 999_999, other.id)
    db.session.commit()
    forged = {"action": "remove", "participation_id": "99999999999999999999"}
    response = staff_client.post(
        f"{url}/{again.id}/ajuster", data={**forged, "registration_id": "99999999999999999999"}
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(ScheduleRun, again.id).removals == []
    assert staff_client.get(url).status_code == 200
