"""An étape as a scheduler instance, solving it, and publishing the schedule.

The étape's grid is its rhythm (`slots.event_times`). Employers are the accepted
participations ("P<id>"), candidates the confirmed registrations ("R<id>"), wishes their
ranked wishes (an offer counts for its employer), vetoes the employers' "pas ce profil", and
every active interview (self-booked, made by staff, or published before) is fixed: it never
moves. Publishing books each new interview through the booking service (the one path that
locks and checks), then emails only the people whose day changed.

DomainError codes: schedule_invalid (with `interview_id` when an interview is the cause),
schedule_conflict (the étape changed since the schedule was made), schedule_running,
schedule_not_ready, schedule_unknown_interview.
"""

import hashlib
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.candidates.emails import queue_candidate_email
from app.candidates.models import Registration, RegistrationStatus
from app.db import lock_for_update, utcnow
from app.employers.emails import queue_employer_email
from app.employers.models import Participation
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.formatting import hour
from app.interviews import queries
from app.interviews.models import (
    Interview,
    InterviewSource,
    InterviewStatus,
    ProfileReview,
    ScheduleRun,
    ScheduleRunStatus,
    Slot,
    Verdict,
    Wish,
)
from app.interviews.services import booking
from app.interviews.services.slots import event_times

log = logging.getLogger(__name__)


class SchedulingError(DomainError):
    """The étape cannot be scheduled as it is; `interview_id` names the interview at fault."""

    def __init__(self, message: str, code: str, interview_id: int | None = None):
        super().__init__(message, code)
        self.interview_id = interview_id


@dataclass
class Export:
    """The instance JSON, and what its ids stand for."""

    instance: dict
    #: Interview ids, in the order of `instance["fixed"]`.
    fixed_interviews: list[int] = field(default_factory=list)


def _label(value) -> str:
    return value.strftime("%H:%M")


def _active_interviews(event: Event) -> list[Interview]:
    return list(
        db.session.scalars(
            select(Interview)
            .join(Interview.slot)
            .join(Slot.participation)
            .where(
                Participation.event_id == event.id,
                Interview.status != InterviewStatus.CANCELLED,
            )
            .order_by(Interview.starts_at, Slot.participation_id, Slot.table_number)
        ).unique()
    )


def export_instance(event: Event, pins: list | None = None, removals: list | None = None) -> Export:
    """The étape as a scheduler instance (spec/scheduling.md). `pins` (proposed interviews
    staff keep) are fixed after the booked ones; `removals` (pairs staff took out) are vetoes."""
    grid = [start for start, _end in event_times(event)]
    labels = [_label(start) for start in grid]
    participations = queries.list_accepted_participations(event.id)
    declined = defaultdict(list)
    for participation_id, registration_id in db.session.execute(
        select(ProfileReview.participation_id, ProfileReview.registration_id)
        .join(Participation, Participation.id == ProfileReview.participation_id)
        .where(Participation.event_id == event.id, ProfileReview.verdict == Verdict.DECLINED)
        .order_by(ProfileReview.registration_id)
    ):
        declined[participation_id].append(f"R{registration_id}")
    on_grid = set(grid)
    open_starts = defaultdict(set)
    for participation_id, start in db.session.execute(
        select(Slot.participation_id, Slot.starts_at)
        .join(Slot.participation)
        .where(Participation.event_id == event.id, Slot.in_hours.is_(True))
    ):
        if start in on_grid:
            open_starts[participation_id].add(start)
    employers = []
    for participation in participations:
        starts = sorted(open_starts[participation.id])
        if not starts:
            continue
        employers.append(
            {
                "id": f"P{participation.id}",
                "tables": participation.tables,
                "available": [_label(starts[0]), _label(starts[-1])],
                "max_interviews": None,
                "vetoes": declined[participation.id],
            }
        )
    known = {employer["id"] for employer in employers}
    wishes = defaultdict(list)
    for wish in db.session.scalars(
        select(Wish)
        .join(Wish.registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(Wish.registration_id, Wish.rank)
    ):
        if f"P{wish.participation_id}" in known:
            wishes[wish.registration_id].append(
                {"employer": f"P{wish.participation_id}", "rank": wish.rank}
            )
    interviews = _active_interviews(event)
    fixed, fixed_ids = [], []
    for interview in interviews:
        fixed.append(
            {
                "candidate": f"R{interview.registration_id}",
                "employer": f"P{interview.slot.participation_id}",
                "table": interview.slot.table_number,
                "slot": _label(interview.starts_at),
            }
        )
        fixed_ids.append(interview.id)
    booked_pairs = {(i.registration_id, i.slot.participation_id) for i in interviews}
    for registration_id, participation_id, table, label in pins or []:
        if (registration_id, participation_id) not in booked_pairs:
            fixed.append(
                {
                    "candidate": f"R{registration_id}",
                    "employer": f"P{participation_id}",
                    "table": table,
                    "slot": label,
                }
            )
    vetoes = {employer["id"]: employer["vetoes"] for employer in employers}
    for registration_id, participation_id in removals or []:
        vetoed = vetoes.get(f"P{participation_id}")
        if vetoed is not None and f"R{registration_id}" not in vetoed:
            vetoed.append(f"R{registration_id}")
    people = sorted(
        set(wishes)
        | {interview.registration_id for interview in interviews}
        | {pin[0] for pin in pins or []}
    )
    candidates = [
        {"id": f"R{registration_id}", "wishes": wishes.get(registration_id, [])}
        for registration_id in people
    ]
    instance = {
        "slot_minutes": event.interview_minutes + event.changeover_minutes,
        "slots": labels,
        "gap_slots": 0,
        "default_max_interviews": event.max_interviews,
        "employers": employers,
        "candidates": candidates,
        "fixed": fixed,
    }
    return Export(instance, fixed_ids)


def _describe(interview: Interview) -> str:
    return _(
        "L'entretien de %(name)s avec %(employer)s à %(time)s",
        name=interview.registration.candidate.full_name,
        employer=interview.slot.participation.establishment.display_name,
        time=hour(interview.starts_at),
    )


def solve_event(
    event: Event,
    *,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    progress=None,
    pins: list | None = None,
    removals: list | None = None,
) -> tuple[Export, dict]:
    """Export and solve the étape; nothing is written. Raises SchedulingError
    schedule_invalid when the étape cannot be scheduled as it is (the interview at fault
    is named: e.g. one left out of its employer's hours)."""
    from app.interviews import scheduler

    export = export_instance(event, pins, removals)
    try:
        instance = scheduler.parse_instance(export.instance)
    except scheduler.InstanceError as error:
        interview_id = None
        index = int(error.entry[6:-1]) if error.entry and error.entry.startswith("fixed[") else None
        if index is not None and index >= len(export.fixed_interviews):
            pin = export.instance["fixed"][index]
            message = _(
                "Un entretien que vous avez gardé (%(candidate)s avec %(employer)s à %(time)s) empêche de faire le planning : %(reason)s Ne le gardez plus, puis relancez.",
                candidate=_name_of(pin["candidate"]),
                employer=_name_of(pin["employer"]),
                time=pin["slot"],
                reason=_reason(error.code),
            )
        elif index is not None:
            interview_id = export.fixed_interviews[index]
            interview = db.session.get(Interview, interview_id)
            message = _(
                "%(interview)s empêche de faire le planning : %(reason)s Déplacez-le ou annulez-le, puis relancez.",
                interview=_describe(interview),
                reason=_reason(error.code),
            )
        else:
            message = _("Le planning ne peut pas être fait : %(reason)s", reason=error.message)
        raise SchedulingError(message, "schedule_invalid", interview_id) from None
    solution = scheduler.solve(
        instance, method=method, time_limit=time_limit, seed=seed, progress=progress
    )
    solution["baseline"] = scheduler.baseline(instance)["stats"]
    return export, solution


def _name_of(solver_id: str) -> str:
    """The name behind a solver id ("R12" a registration, "P3" a participation)."""
    if solver_id.startswith("R"):
        registration = db.session.get(Registration, int(solver_id[1:]))
        return registration.candidate.full_name if registration else solver_id
    participation = db.session.get(Participation, int(solver_id[1:]))
    return participation.establishment.display_name if participation else solver_id


def _reason(code: str) -> str:
    return {
        "unknown_slot": _("il ne tombe pas sur un horaire de l'étape."),
        "fixed_outside_window": _("il est en dehors des horaires de l'employeur."),
        "fixed_clash": _("il est trop proche d'un autre entretien du candidat."),
        "fixed_vetoed": _("l'employeur a refusé ce profil."),
        "fixed_over_cap": _("le candidat a déjà trop d'entretiens."),
        "table_out_of_range": _("sa table n'existe plus."),
    }.get(code, _("il ne respecte pas les règles de l'étape."))


def _days(event: Event) -> tuple[dict[int, tuple], dict[int, tuple]]:
    """Each registration's and each participation's day: (time, table, other side)…"""
    candidates, employers = defaultdict(list), defaultdict(list)
    for interview in _active_interviews(event):
        slot = interview.slot
        candidates[interview.registration_id].append(
            (_label(interview.starts_at), slot.table_label, slot.participation_id)
        )
        employers[slot.participation_id].append(
            (_label(interview.starts_at), slot.table_label, interview.registration_id)
        )
    return (
        {key: tuple(sorted(value)) for key, value in candidates.items()},
        {key: tuple(sorted(value)) for key, value in employers.items()},
    )


def _change_key(kind: str, owner: int, before: tuple, after: tuple) -> str:
    digest = hashlib.sha256(repr((before, after)).encode()).hexdigest()[:16]
    return f"schedule:{kind}:{owner}:{digest}"


def publish(event: Event, solution: dict, *, by: User | None = None) -> list[Interview]:
    """Book the solution's new interviews (those already there stay as they are) and email
    each candidate and employer whose day changed. All or nothing: raises SchedulingError
    schedule_conflict, naming the interview, when the étape changed since the solution was
    made (a slot taken, a registration cancelled…). The caller commits."""
    before_candidates, before_employers = _days(event)
    existing = {
        (i.registration_id, i.slot.participation_id, i.slot.table_number, _label(i.starts_at))
        for i in _active_interviews(event)
    }
    slots = {
        (slot.participation_id, slot.table_number, _label(slot.starts_at)): slot
        for slot in db.session.scalars(
            select(Slot).join(Slot.participation).where(Participation.event_id == event.id)
        ).unique()
    }
    booked = []
    for item in solution["interviews"]:
        registration_id = int(item["candidate"][1:])
        participation_id = int(item["employer"][1:])
        key = (registration_id, participation_id, item["table"], item["slot"])
        if key in existing:
            continue
        slot = slots.get((participation_id, item["table"], item["slot"]))
        try:
            if slot is None:
                raise DomainError(_("Ce créneau n'existe plus."), "slot_not_found")
            booked.append(
                booking.book(
                    registration_id,
                    slot.id,
                    source=InterviewSource.SCHEDULER,
                    by=by,
                    notify=False,
                )
            )
        except DomainError as error:
            registration = db.session.get(Registration, registration_id)
            participation = db.session.get(Participation, participation_id)
            raise SchedulingError(
                _(
                    "Le planning n'est pas publié : l'entretien de %(name)s avec %(employer)s à %(time)s ne peut plus être réservé (%(reason)s). Relancez le planning.",
                    name=registration.candidate.full_name if registration else item["candidate"],
                    employer=participation.establishment.display_name
                    if participation
                    else item["employer"],
                    time=item["slot"],
                    reason=error.message,
                ),
                "schedule_conflict",
            ) from None
    after_candidates, after_employers = _days(event)
    for registration_id, day in after_candidates.items():
        before = before_candidates.get(registration_id, ())
        if day != before:
            _queue_candidate_schedule(
                db.session.get(Registration, registration_id),
                _change_key("registration", registration_id, before, day),
            )
    for participation_id, day in after_employers.items():
        before = before_employers.get(participation_id, ())
        if day != before:
            _queue_employer_schedule(
                db.session.get(Participation, participation_id),
                _change_key("participation", participation_id, before, day),
            )
    return booked


def _queue_candidate_schedule(registration: Registration, key: str) -> None:
    queue_candidate_email(
        registration,
        "schedule_published",
        key,
        lambda: _("Vos entretiens au Job Dating de %(town)s", town=registration.event.venue.town),
        "interviews/schedule_published",
        with_ticket=False,
        interviews=queries.list_interviews_of(registration),
    )


def _queue_employer_schedule(participation: Participation, key: str) -> None:
    event = participation.event
    queue_employer_email(
        kind="employer_schedule_published",
        key=key,
        recipient=participation.contact_email,
        subject=_("Votre planning d'entretiens au Job Dating de %(town)s", town=event.venue.town),
        template="schedule_published",
        participation=participation,
        event=event,
        venue=event.venue,
        interviews=queries.list_booked_interviews(participation),
    )


# --- Runs from the back-office ----------------------------------------------------------

#: A run that has not moved for this long was interrupted (its worker stopped).
STALE_AFTER = timedelta(minutes=15)


def latest_run(event: Event) -> ScheduleRun | None:
    run = db.session.scalar(
        select(ScheduleRun)
        .where(ScheduleRun.event_id == event.id)
        .order_by(ScheduleRun.id.desc())
        .limit(1)
    )
    if (
        run is not None
        and run.status == ScheduleRunStatus.RUNNING
        and utcnow() - run.updated_at > STALE_AFTER
    ):
        run.status = ScheduleRunStatus.FAILED
        run.error_message = _("Le calcul a été interrompu. Relancez-le.")
        db.session.flush()
    return run


def start_run(event: Event, by: User) -> ScheduleRun:
    """Record a new run for the étape (the caller commits, then `run_in_background`).

    Raises DomainError schedule_running when one is already running for the étape.
    """
    lock_for_update_event(event)
    current = latest_run(event)
    if current is not None and current.status == ScheduleRunStatus.RUNNING:
        raise DomainError(
            _("Un calcul du planning est déjà en cours pour cette étape."), "schedule_running"
        )
    run = ScheduleRun(
        event_id=event.id,
        status=ScheduleRunStatus.RUNNING,
        started_by_id=by.id,
        progress=0.0,
        progress_message=_("En attente"),
        # What staff kept and removed carries over; once published, kept ones are booked.
        pins=list(current.pins)
        if current is not None and current.status != ScheduleRunStatus.PUBLISHED
        else [],
        removals=list(current.removals) if current is not None else [],
    )
    db.session.add(run)
    db.session.flush()
    return run


def lock_for_update_event(event: Event) -> None:
    """Serialise runs of one étape (FOR UPDATE on PostgreSQL; SQLite locks on write)."""
    dialect = db.session.get_bind().dialect.name
    db.session.execute(lock_for_update(select(Event.id).where(Event.id == event.id), dialect))


def execute_run(run_id: int, *, time_limit: float | None = None) -> None:
    """Solve the run's étape, saving progress as it goes, then its proposal or why not.
    Commits (it runs on its own, outside any request)."""
    run = db.session.get(ScheduleRun, run_id)
    event = db.session.get(Event, run.event_id)

    def progress(fraction: float, message: str) -> None:
        run.progress = max(0.0, min(1.0, fraction))
        run.progress_message = message[:120]
        db.session.commit()

    try:
        _export, solution = solve_event(
            event,
            time_limit=time_limit,
            progress=progress,
            pins=run.pins,
            removals=run.removals,
        )
    except SchedulingError as error:
        db.session.rollback()
        run.status = ScheduleRunStatus.FAILED
        run.error_message = error.message
        run.error_interview_id = error.interview_id
    except Exception:
        db.session.rollback()
        log.exception("Scheduling run %s failed", run_id)
        run.status = ScheduleRunStatus.FAILED
        run.error_message = _(
            "Le calcul n'a pas abouti. Relancez-le ; si cela recommence, prévenez l'équipe technique."
        )
    else:
        run.status = ScheduleRunStatus.DONE
        run.solution = solution
        run.progress = 1.0
    db.session.commit()


def run_in_background(app, run_id: int) -> threading.Thread:
    """Execute the run in a thread of this process, so that the request returns at once and
    the worker keeps serving others; returns the thread (tests join it)."""
    limit = app.config.get("SCHEDULER_TIME_LIMIT")

    def work() -> None:
        with app.app_context():
            execute_run(run_id, time_limit=limit)
            db.session.remove()

    thread = threading.Thread(target=work, name=f"schedule-run-{run_id}", daemon=True)
    thread.start()
    return thread


def publish_run(run: ScheduleRun, *, by: User) -> list[Interview]:
    """Publish the run's proposal (see `publish`). Raises DomainError schedule_not_ready
    unless the run is done and not published yet."""
    if run.status != ScheduleRunStatus.DONE or run.solution is None:
        raise DomainError(_("Ce planning ne peut pas être publié."), "schedule_not_ready")
    event = db.session.get(Event, run.event_id)
    booked = publish(event, run.solution, by=by)
    run.status = ScheduleRunStatus.PUBLISHED
    run.published_at = utcnow()
    db.session.flush()
    return booked


#: What staff may do to a proposed interview before running again.
ADJUSTMENTS = ("pin", "unpin", "remove", "restore")


def adjust(run: ScheduleRun, action: str, registration_id: int, participation_id: int) -> None:
    """Keep ("pin") a proposed interview for the next run, or take a pair out ("remove",
    never proposed again), or undo either. Raises DomainError schedule_not_ready unless the
    run is done, and schedule_unknown_interview for a pair the proposal does not hold."""
    if run.status != ScheduleRunStatus.DONE or run.solution is None or action not in ADJUSTMENTS:
        raise DomainError(_("Ce planning ne peut plus être modifié."), "schedule_not_ready")
    pair = [registration_id, participation_id]
    proposed = next(
        (
            [registration_id, participation_id, item["table"], item["slot"]]
            for item in run.solution["interviews"]
            if item["candidate"] == f"R{registration_id}"
            and item["employer"] == f"P{participation_id}"
        ),
        None,
    )
    pins = [pin for pin in run.pins if pin[:2] != pair]
    removals = [removal for removal in run.removals if removal != pair]
    if action in ("pin", "remove") and proposed is None:
        raise DomainError(
            _("Cet entretien n'est pas dans la proposition."), "schedule_unknown_interview"
        )
    if action == "pin":
        pins.append(proposed)
    elif action == "remove":
        removals.append(pair)
    run.pins, run.removals = pins, removals
    db.session.flush()
