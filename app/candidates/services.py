"""Registration, waiting list, cancellation, move and erasure of candidates.

Every function adds and flushes; the caller commits once. Seats are counted on
`Event.seats_taken`, changed only here by guarded single-statement updates and bounded by a
check constraint, so an étape never has more confirmed registrations than its capacity, even
under concurrent submissions. The étape row is locked first (FOR UPDATE on PostgreSQL; on
SQLite the write transaction is BEGIN IMMEDIATE), which also serialises duplicate checks.

DomainError codes: registration_closed, event_not_found, too_young, contact_missing,
duplicate, already_cancelled, same_event, not_erasable, cv_empty, cv_too_large, cv_wrong_type.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, true, update

from app.candidates import emails
from app.candidates.documents import clean_filename, detect_type
from app.candidates.models import (
    Candidate,
    CurriculumVitae,
    Referral,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from app.candidates.signals import registration_leaving
from app.candidates.tickets import new_manage_token, new_ticket_code
from app.db import lock_for_update, utcnow
from app.errors import DomainError
from app.events.models import PARIS, Event, EventStatus, today_in_paris
from app.extensions import db
from app.formatting import file_size
from app.notifications.services import discard_pending


@dataclass
class CandidateDetails:
    """What a person gives when registering (already cleaned by the form)."""

    last_name: str
    first_name: str
    email: str | None
    phone: str | None
    birth_year: int
    postcode: str
    referral: Referral
    domains: list[str] = field(default_factory=list)
    wants_workshop: bool = False
    locale: str = "fr"


def _lock_event(event_id: int) -> Event:
    statement = select(Event).where(Event.id == event_id).execution_options(populate_existing=True)
    event = db.session.scalar(
        lock_for_update(statement, db.session.get_bind().dialect.name, of=Event)
    )
    if event is None:
        raise DomainError(_("Cette étape n'existe pas."), "event_not_found")
    return event


def _lock_events_of(registration: Registration, *other_event_ids: int) -> dict[int, Event]:
    """Lock the étape the registration is at now (and `other_event_ids`), in id order so that
    two transactions cannot deadlock; re-read the registration. Returns {id: Event}.

    A registration changes étape only while its étape is locked (`move`), so once that lock
    is held and the registration re-read, its étape cannot change any more. The registration
    given may be stale: if it moved while we waited, the locks are given back (rolling back
    to a savepoint releases them on PostgreSQL) and the right ones taken.
    """
    while True:
        savepoint = db.session.begin_nested()
        locked = {
            event_id: _lock_event(event_id)
            for event_id in sorted({registration.event_id, *other_event_ids})
        }
        db.session.refresh(registration)
        if registration.event_id in locked:
            savepoint.commit()
            return locked
        savepoint.rollback()


def _take_seat(event: Event) -> bool:
    """Take one seat if one is left (a single guarded UPDATE)."""
    result = db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.seats_taken < Event.capacity)
        .values(seats_taken=Event.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(event, ["seats_taken"])
    return result.rowcount == 1


def _free_seat(event: Event) -> None:
    db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.seats_taken > 0)
        .values(seats_taken=Event.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(event, ["seats_taken"])


def check_age(event: Event, birth_year: int, today: date | None = None) -> None:
    """Refuse people younger than the tour's minimum age in the étape's year."""
    min_age = event.tour.min_age
    if event.date.year - birth_year < min_age:
        raise DomainError(
            _(
                "Le Job Dating Tour est réservé aux personnes qui ont %(age)s ans ou plus "
                "dans l'année (nées en %(year)s ou avant).",
                age=min_age,
                year=event.date.year - min_age,
            ),
            "too_young",
            field="birth_year",
        )


def details_of(registration: Registration) -> CandidateDetails:
    """What the person gave when registering, as CandidateDetails."""
    candidate = registration.candidate
    return CandidateDetails(
        last_name=candidate.last_name,
        first_name=candidate.first_name,
        email=candidate.email,
        phone=candidate.phone,
        birth_year=candidate.birth_year,
        postcode=candidate.postcode,
        referral=registration.referral,
        domains=list(candidate.domains or []),
        wants_workshop=candidate.wants_workshop,
        locale=candidate.locale,
    )


def find_duplicate(
    event: Event, details: CandidateDetails, *, include_cancelled: bool = False
) -> Registration | None:
    """An active registration at this étape by the same person (same email, or same phone
    and name); with `include_cancelled`, a cancelled one too (the active one first)."""
    same_person = []
    if details.email:
        same_person.append(Candidate.email == details.email.lower())
    if details.phone:
        same_person.append(
            (Candidate.phone == details.phone)
            & (func.lower(Candidate.last_name) == details.last_name.lower())
            & (func.lower(Candidate.first_name) == details.first_name.lower())
        )
    if not same_person:
        return None
    return db.session.scalar(
        select(Registration)
        .join(Registration.candidate)
        .where(
            Registration.event_id == event.id,
            true() if include_cancelled else Registration.status != RegistrationStatus.CANCELLED,
            or_(*same_person),
        )
        .order_by(Registration.cancelled_at.is_not(None), Registration.id.desc())
        .limit(1)
    )


def _unique_ticket_code() -> str:
    while True:
        code = new_ticket_code()
        if not db.session.scalar(select(Registration.id).where(Registration.ticket_code == code)):
            return code


def _place(registration: Registration, event: Event) -> None:
    """Confirm the registration if a seat is left, otherwise put it on the waiting list."""
    now = utcnow()
    if _take_seat(event):
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.waitlisted_at = None
    else:
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlisted_at = now
        registration.confirmed_at = None


def register(
    event_id: int,
    details: CandidateDetails,
    *,
    source: RegistrationSource = RegistrationSource.ONLINE,
    created_by_id: int | None = None,
    today: date | None = None,
    notify: bool = True,
) -> Registration:
    """Register a person at an étape: confirmed while seats are left, else waitlisted; the
    person is emailed their confirmation unless `notify` is false (fictitious demo people).

    Staff (source phone or on site) may register outside the online registration dates.
    Raises DomainError: event_not_found, registration_closed, too_young, contact_missing,
    duplicate (with `.registration` set to the existing one: call `resend_link` on it).
    """
    today = today or today_in_paris()
    event = _lock_event(event_id)
    online = source == RegistrationSource.ONLINE
    if (online and not event.registration_is_open(today)) or (
        not online and (event.status != EventStatus.PUBLISHED or event.date < today)
    ):
        raise DomainError(
            _("Les inscriptions à cette étape ne sont pas ouvertes."), "registration_closed"
        )
    check_age(event, details.birth_year)
    if not details.email and not details.phone:
        raise DomainError(
            _(
                "Indiquez une adresse e-mail ou un numéro de téléphone pour que nous puissions vous joindre."
            ),
            "contact_missing",
            field="email",
        )
    duplicate = find_duplicate(event, details)
    if duplicate is not None:
        error = DomainError(
            _(
                "Vous êtes déjà inscrit(e) à cette étape. Nous vous renvoyons le lien de votre inscription."
            ),
            "duplicate",
        )
        error.registration = duplicate
        raise error

    candidate = Candidate(
        last_name=details.last_name,
        first_name=details.first_name,
        email=details.email.lower() if details.email else None,
        phone=details.phone,
        birth_year=details.birth_year,
        postcode=details.postcode,
        domains=sorted(set(details.domains)),
        wants_workshop=details.wants_workshop,
        consented_at=utcnow(),
        locale=details.locale,
    )
    registration = Registration(
        candidate=candidate,
        event=event,
        source=source,
        referral=details.referral,
        ticket_code=_unique_ticket_code(),
        manage_token=new_manage_token(),
        created_by_id=created_by_id,
    )
    _place(registration, event)
    db.session.add_all([candidate, registration])
    db.session.flush()
    if notify:
        emails.queue_registration_notice(registration)
    return registration


def resend_link(registration: Registration) -> None:
    """Email the "Mon inscription" link again (at most once an hour per registration)."""
    emails.queue_link_reminder(registration)


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list; None when not waitlisted."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            or_(
                Registration.waitlisted_at < registration.waitlisted_at,
                (Registration.waitlisted_at == registration.waitlisted_at)
                & (Registration.id < registration.id),
            ),
        )
    )
    return ahead + 1


def promote_waitlist(event: Event) -> list[Registration]:
    """Confirm people from the waiting list, first in first served, while seats are left.

    The caller holds the étape lock. Each promoted person is emailed.
    """
    promoted = []
    while event.seats_taken < event.capacity:
        first = db.session.scalar(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.waitlisted_at, Registration.id)
            .limit(1)
        )
        if first is None or not _take_seat(event):
            break
        first.status = RegistrationStatus.CONFIRMED
        first.confirmed_at = utcnow()
        first.waitlisted_at = None
        db.session.flush()
        emails.queue_promotion_notice(first)
        promoted.append(first)
    return promoted


def admit_at_the_door(registration: Registration) -> Registration:
    """Confirm a waitlisted or cancelled person who came on the day anyway. They are in
    the room: when no seat is left, the étape's capacity grows by one for them (online
    registration is closed by then). Nobody is emailed."""
    event = _lock_event(registration.event_id)
    registration = db.session.get(Registration, registration.id, populate_existing=True)
    if registration.status == RegistrationStatus.CONFIRMED:
        return registration
    if not _take_seat(event):
        event.capacity = event.seats_taken + 1
        db.session.flush()
        if not _take_seat(event):  # cannot happen: the étape is locked
            raise DomainError(_("Plus aucune place à cette étape."), "event_full")
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = utcnow()
    registration.waitlisted_at = None
    registration.cancelled_at = None
    db.session.flush()
    return registration


def cancel(registration: Registration, *, notify: bool = True) -> list[Registration]:
    """Cancel a registration, free its seat and promote from the waiting list.

    Returns the registrations promoted. Raises DomainError already_cancelled.
    """
    event = _lock_events_of(registration)[registration.event_id]
    if registration.status == RegistrationStatus.CANCELLED:
        raise DomainError(_("Cette inscription est déjà annulée."), "already_cancelled")
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration_leaving.send(registration, notify=notify)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    registration.waitlisted_at = None
    db.session.flush()
    if notify:
        emails.queue_cancellation_notice(registration)
    if was_confirmed:
        _free_seat(event)
    return promote_waitlist(event)


def move(registration: Registration, target_event_id: int, *, staff: bool = False) -> Registration:
    """Move a registration to another étape of the same tour, keeping its ticket and link.

    At the new étape the person is confirmed if a seat is left, else waitlisted; the seat
    freed at the old étape goes to its waiting list. Raises DomainError: already_cancelled,
    same_event, registration_closed, duplicate, too_young.
    """
    if registration.status == RegistrationStatus.CANCELLED:
        raise DomainError(_("Cette inscription est annulée."), "already_cancelled")
    if target_event_id == registration.event_id:
        raise DomainError(_("Vous êtes déjà inscrit(e) à cette étape."), "same_event")
    # Both étapes locked in id order, so that two opposite moves cannot deadlock; the
    # registration is re-read under the locks (it may have been cancelled or moved).
    locked = _lock_events_of(registration, target_event_id)
    if registration.status == RegistrationStatus.CANCELLED:
        raise DomainError(_("Cette inscription est annulée."), "already_cancelled")
    if registration.event_id == target_event_id:
        raise DomainError(_("Vous êtes déjà inscrit(e) à cette étape."), "same_event")
    old_event, new_event = locked[registration.event_id], locked[target_event_id]
    today = today_in_paris()
    open_now = (
        new_event.status == EventStatus.PUBLISHED and new_event.date >= today
        if staff
        else new_event.registration_is_open(today)
    )
    if new_event.tour_id != old_event.tour_id or not open_now:
        raise DomainError(
            _("Les inscriptions à cette étape ne sont pas ouvertes."), "registration_closed"
        )
    check_age(new_event, registration.candidate.birth_year)
    if find_duplicate(new_event, details_of(registration)) is not None:
        raise DomainError(_("Vous êtes déjà inscrit(e) à cette étape."), "duplicate")

    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration_leaving.send(registration, notify=True)
    registration.event = new_event
    registration.cancelled_at = None
    _place(registration, new_event)
    db.session.flush()
    if was_confirmed:
        _free_seat(old_event)
    promote_waitlist(old_event)
    emails.queue_move_notice(registration, old_event)
    return registration


def erase_personal_data(candidate: Candidate) -> None:
    """Cancel the person's registrations to coming étapes and anonymise what identifies them.

    Registrations to past étapes keep their status, and what reports count (year of birth,
    department, domains, source) is kept. Emails to the person's address not sent yet are
    discarded, and those sent are stripped of their address and content (`discard_pending`).
    """
    today = today_in_paris()
    for registration in list(candidate.registrations):
        upcoming = registration.event.date >= today
        if upcoming and registration.status != RegistrationStatus.CANCELLED:
            try:
                cancel(registration, notify=False)
            except DomainError as error:
                # already_cancelled: cancelled meanwhile (a double click), nothing to free.
                if error.code != "already_cancelled":
                    raise
        registration.manage_token = new_manage_token()
    if candidate.email:
        # After the cancellations above, so that nothing queued by them is left behind.
        discard_pending(candidate.email)
    candidate.last_name = _("Anonyme")
    candidate.first_name = ""
    candidate.email = None
    candidate.phone = None
    candidate.postcode = candidate.postcode[:2] + "000"
    candidate.anonymised_at = utcnow()
    remove_cv(candidate)
    db.session.flush()


def upload_cv(candidate: Candidate, filename: str, content: bytes) -> CurriculumVitae:
    """Keep the person's CV, replacing the one they had. Its type is read from the content.

    Raises DomainError (field "cv") cv_empty, cv_too_large (over CV_MAX_BYTES) or
    cv_wrong_type (not a PDF, Word, OpenDocument, JPEG or PNG file).
    """
    limit = current_app.config["CV_MAX_BYTES"]
    if not content:
        raise DomainError(
            _("Le fichier envoyé est vide. Choisissez le fichier de votre CV."), "cv_empty", "cv"
        )
    if len(content) > limit:
        raise DomainError(
            _(
                "Votre CV pèse %(size)s : %(limit)s au plus. Enregistrez-le en PDF, ou réduisez la taille des images.",
                size=file_size(len(content)),
                limit=file_size(limit),
            ),
            "cv_too_large",
            "cv",
        )
    kind = detect_type(content)
    if kind is None:
        raise DomainError(
            _(
                "Ce fichier n'est pas un CV que nous pouvons lire. Envoyez un fichier PDF, Word (.doc, .docx), OpenDocument (.odt) ou une photo (JPEG, PNG)."
            ),
            "cv_wrong_type",
            "cv",
        )
    cv = candidate.cv or CurriculumVitae(candidate=candidate)
    cv.filename = clean_filename(filename, kind)
    cv.content_type = kind.content_type
    cv.size = len(content)
    cv.content = content
    db.session.add(cv)
    db.session.flush()
    return cv


def remove_cv(candidate: Candidate) -> None:
    """Delete the person's CV, if they have one."""
    if candidate.cv is not None:
        db.session.delete(candidate.cv)
        candidate.cv = None
        db.session.flush()


def candidate_data_export(candidate: Candidate) -> dict:
    """Everything held about a person, as the JSON they can download."""
    return {
        "nom": candidate.last_name,
        "prenom": candidate.first_name,
        "email": candidate.email,
        "telephone": candidate.phone,
        "annee_de_naissance": candidate.birth_year,
        "code_postal": candidate.postcode,
        "domaines_recherches": candidate.domains,
        "souhaite_un_atelier": candidate.wants_workshop,
        "consentement_le": candidate.consented_at.isoformat(),
        "cv": (
            {
                "fichier": candidate.cv.filename,
                "taille_octets": candidate.cv.size,
                "depose_le": candidate.cv.updated_at.isoformat(),
            }
            if candidate.cv
            else None
        ),
        "inscriptions": [
            {
                "etape": f"{r.event.venue.town} — {r.event.date.isoformat()}",
                "lieu": r.event.venue.full_address,
                "statut": r.status.value,
                "code_billet": r.display_code,
                "origine": r.source.value,
                "orientation": r.referral.value,
                "creee_le": r.created_at.isoformat(),
            }
            for r in candidate.registrations
        ],
    }


def correct_details(candidate: Candidate, changes: dict) -> None:
    """Let a person correct their own details (RGPD right to rectification).

    Raises DomainError contact_missing when neither an email nor a phone would be left.
    """
    if not changes.get("email") and not changes.get("phone"):
        raise DomainError(
            _(
                "Indiquez une adresse e-mail ou un numéro de téléphone pour que nous puissions vous joindre."
            ),
            "contact_missing",
            field="email",
        )
    for name in (
        "last_name",
        "first_name",
        "email",
        "phone",
        "postcode",
        "domains",
        "wants_workshop",
    ):
        if name in changes:
            setattr(candidate, name, changes[name])
    db.session.flush()


def anonymise_expired(retention_months: int, today: date | None = None) -> int:
    """Erase the personal data of people not in contact for `retention_months` (RGPD).

    Last contact is the later of their last étape and their last change. Returns how many
    people were anonymised. The caller commits.
    """
    today = today or today_in_paris()
    limit = today - timedelta(days=round(retention_months * 30.44))
    last_event = (
        select(Registration.candidate_id, func.max(Event.date).label("last_date"))
        .join(Registration.event)
        .group_by(Registration.candidate_id)
        .subquery()
    )
    expired = db.session.scalars(
        select(Candidate)
        .join(last_event, last_event.c.candidate_id == Candidate.id)
        .where(
            Candidate.anonymised_at.is_(None),
            last_event.c.last_date < limit,
            Candidate.updated_at < datetime.combine(limit, time(), tzinfo=PARIS),
        )
    ).all()
    for candidate in expired:
        erase_personal_data(candidate)
    return len(expired)


def change_capacity(event: Event, capacity: int) -> list[Registration]:
    """Set an étape's candidate capacity; when seats become free, confirm people from its
    waiting list (first in, first served; each is emailed), unless the étape is cancelled.

    Locks the étape first, so that no registration slips in between the check and the
    change. Returns the registrations promoted. Raises DomainError capacity_below_seats
    (field capacity) when fewer seats than the confirmed registrations are asked for.
    """
    event = _lock_event(event.id)
    if capacity < 0:
        raise DomainError(
            _("La capacité est un nombre de places : 0 ou plus."), "capacity_negative", "capacity"
        )
    if capacity < event.seats_taken:
        raise DomainError(
            _(
                "La capacité ne peut pas être inférieure aux %(taken)s places déjà prises par des inscriptions confirmées. Annulez ou déplacez d'abord des inscriptions.",
                taken=event.seats_taken,
            ),
            "capacity_below_seats",
            "capacity",
        )
    event.capacity = capacity
    db.session.flush()
    if event.status == EventStatus.CANCELLED:
        return []
    return promote_waitlist(event)
