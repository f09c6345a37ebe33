"""Companies, establishments, participation requests and job offers.

Every function adds and flushes; the caller commits once. What concerns slots (generating
them when a participation is accepted or its hours change) is in the interviews domain,
which stands above this one and calls these functions.

DomainError codes: invalid_siret, invalid_siren, event_not_found, already_participating,
participation_closed, not_requested, bad_hours, bad_tables, offer_missing.
"""

import secrets
from dataclasses import dataclass, field
from datetime import date, time

from flask_babel import gettext as _
from sqlalchemy import func, select
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from app.auth.models import Role, User
from app.db import lock_for_update, utcnow
from app.employers import emails
from app.employers.models import (
    Company,
    ContractType,
    EmployerMember,
    Establishment,
    JobOffer,
    Participation,
    ParticipationStatus,
)
from app.errors import DomainError
from app.events.models import Event, EventStatus, today_in_paris
from app.extensions import db


def clean_siret(raw: str) -> str:
    """The 14 digits of a valid SIRET (spaces and dots allowed), else invalid_siret."""
    digits = stdnum_siret.compact(raw or "")
    if not stdnum_siret.is_valid(digits):
        raise DomainError(
            _(
                "Ce numéro SIRET n'est pas valide : il compte 14 chiffres (SIREN à 9 chiffres puis numéro d'établissement à 5 chiffres). Vérifiez-le sur votre fiche Kbis ou sur annuaire-entreprises.data.gouv.fr."
            ),
            "invalid_siret",
            "siret",
        )
    return digits


def clean_siren(raw: str) -> str:
    """The 9 digits of a valid SIREN, else invalid_siren."""
    digits = stdnum_siren.compact(raw or "")
    if not stdnum_siren.is_valid(digits):
        raise DomainError(
            _(
                "Ce numéro SIREN n'est pas valide : il compte 9 chiffres. Vérifiez-le sur votre fiche Kbis."
            ),
            "invalid_siren",
            "siren",
        )
    return digits


@dataclass
class EstablishmentDetails:
    """An establishment as an employer or staff describe it (cleaned by the form)."""

    siret: str
    company_name: str
    name: str
    address: str = ""
    postcode: str = ""
    town: str = ""
    sector: str = ""
    charter_signatory: bool = False


@dataclass
class OfferDetails:
    title: str
    contract_type: ContractType
    rome_domain: str
    positions: int = 1
    description: str = ""


@dataclass
class ParticipationDetails:
    """What an employer asks for at one or more étapes."""

    contact_name: str
    contact_email: str
    contact_phone: str
    tables: int
    starts_at: time
    ends_at: time
    message: str = ""
    offers: list[OfferDetails] = field(default_factory=list)


def get_establishment_by_siret(siret: str) -> Establishment | None:
    return db.session.scalar(select(Establishment).where(Establishment.siret == siret))


def save_establishment(details: EstablishmentDetails) -> Establishment:
    """Find the establishment by SIRET (creating it and its company as needed) and bring
    its details up to date with what was given."""
    siret = clean_siret(details.siret)
    siren = siret[:9]
    company = db.session.scalar(select(Company).where(Company.siren == siren))
    if company is None:
        company = Company(siren=siren, name=details.company_name)
        db.session.add(company)
    company.name = details.company_name
    company.sector = details.sector
    company.charter_signatory = details.charter_signatory
    establishment = get_establishment_by_siret(siret)
    if establishment is None:
        establishment = Establishment(siret=siret, company=company)
        db.session.add(establishment)
    establishment.name = details.name or details.company_name
    establishment.address = details.address
    establishment.postcode = details.postcode
    establishment.town = details.town
    db.session.flush()
    return establishment


def check_hours(event: Event, tables: int, starts_at: time, ends_at: time) -> None:
    """Interview hours inside the étape's hours, long enough for one interview."""
    if not 1 <= tables <= 50:
        raise DomainError(
            _("Indiquez entre 1 et 50 tables (recruteurs en même temps)."), "bad_tables", "tables"
        )
    if not (event.starts_at <= starts_at < ends_at <= event.ends_at):
        raise DomainError(
            _(
                "Les horaires d'entretiens doivent être compris dans ceux de l'étape, de %(start)s à %(end)s, et l'heure de fin venir après l'heure de début.",
                start=event.starts_at.strftime("%H:%M"),
                end=event.ends_at.strftime("%H:%M"),
            ),
            "bad_hours",
            "starts_at",
        )
    minutes = (ends_at.hour * 60 + ends_at.minute) - (starts_at.hour * 60 + starts_at.minute)
    if minutes < event.interview_minutes:
        raise DomainError(
            _(
                "Prévoyez au moins %(n)s minutes d'entretiens (la durée d'un entretien).",
                n=event.interview_minutes,
            ),
            "bad_hours",
            "ends_at",
        )


def _lock_event(event_id: int) -> Event:
    statement = select(Event).where(Event.id == event_id).execution_options(populate_existing=True)
    event = db.session.scalar(
        lock_for_update(statement, db.session.get_bind().dialect.name, of=Event)
    )
    if event is None:
        raise DomainError(_("Cette étape n'existe pas."), "event_not_found")
    return event


def lock_participation(participation: Participation) -> Participation:
    """Re-read the participation under a row lock (serialises changes to its hours and slots)."""
    statement = (
        select(Participation)
        .where(Participation.id == participation.id)
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(
        lock_for_update(statement, db.session.get_bind().dialect.name, of=Participation)
    )


def request_participation(
    event_ids: list[int],
    establishment: Establishment,
    details: ParticipationDetails,
    *,
    today: date | None = None,
    notify: bool = True,
) -> list[Participation]:
    """Ask to take part in étapes; staff then accept or refuse. The contact is emailed
    (unless `notify` is false: staff creating an employer send the acceptance instead).

    Raises DomainError participation_closed (an étape past or not published),
    already_participating (a request for that étape that is not refused or withdrawn),
    bad_hours, bad_tables, offer_missing.
    """
    today = today or today_in_paris()
    if not details.offers:
        raise DomainError(
            _("Décrivez au moins une offre d'emploi."), "offer_missing", "offer1_title"
        )
    participations = []
    for event_id in sorted(set(event_ids)):
        event = _lock_event(event_id)
        if event.status != EventStatus.PUBLISHED or event.date < today:
            raise DomainError(
                _("L'étape de %(town)s n'accueille plus de demandes.", town=event.venue.town),
                "participation_closed",
                "events",
            )
        check_hours(event, details.tables, details.starts_at, details.ends_at)
        existing = db.session.scalar(
            select(Participation).where(
                Participation.event_id == event.id,
                Participation.establishment_id == establishment.id,
            )
        )
        if existing is not None and existing.status in (
            ParticipationStatus.REQUESTED,
            ParticipationStatus.ACCEPTED,
        ):
            raise DomainError(
                _(
                    "Votre établissement a déjà demandé à participer à l'étape de %(town)s : nous revenons vers vous.",
                    town=event.venue.town,
                ),
                "already_participating",
                "events",
            )
        participation = existing or Participation(event=event, establishment=establishment)
        participation.status = ParticipationStatus.REQUESTED
        participation.decided_at = None
        participation.decided_by_id = None
        participation.refusal_reason = ""
        _apply_details(participation, details)
        participation.offers.clear()
        participation.offers.extend(_new_offer(offer) for offer in details.offers)
        db.session.add(participation)
        participations.append(participation)
    db.session.flush()
    if notify:
        emails.queue_request_received(participations)
    return participations


def _apply_details(participation: Participation, details: ParticipationDetails) -> None:
    participation.contact_name = details.contact_name
    participation.contact_email = details.contact_email.lower()
    participation.contact_phone = details.contact_phone
    participation.tables = details.tables
    participation.starts_at = details.starts_at
    participation.ends_at = details.ends_at
    participation.message = details.message


def _new_offer(details: OfferDetails) -> JobOffer:
    return JobOffer(
        title=details.title,
        contract_type=details.contract_type,
        rome_domain=details.rome_domain,
        positions=details.positions,
        description=details.description,
    )


def _next_first_table(event_id: int) -> int:
    """The first free table number of the étape's floor plan."""
    last = db.session.scalar(
        select(func.max(Participation.first_table + Participation.tables - 1)).where(
            Participation.event_id == event_id,
            Participation.status == ParticipationStatus.ACCEPTED,
        )
    )
    return (last or 0) + 1


def ensure_employer_user(participation: Participation) -> User:
    """The employer user of the participation's contact (created for the establishment
    when new). An existing staff account is never turned into an employer account."""
    email = participation.contact_email.lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None:
        user = User(
            email=email,
            name=participation.contact_name,
            role=Role.EMPLOYER,
            password_hash=None,
        )
        db.session.add(user)
        db.session.flush()
    if user.role == Role.EMPLOYER:
        member = db.session.scalar(select(EmployerMember).where(EmployerMember.user_id == user.id))
        establishment = participation.establishment
        if member is None:
            db.session.add(
                EmployerMember(
                    user=user,
                    company_id=establishment.company_id,
                    establishment_id=establishment.id,
                )
            )
        elif not member.covers(establishment) and member.company_id == establishment.company_id:
            # The same person for two establishments of one company: company-wide scope.
            # Another company's contact keeps their own scope (no cross-company access).
            member.establishment_id = None
        db.session.flush()
    return user


def accept_participation(participation: Participation, by: User) -> Participation:
    """Accept a requested participation: tables numbered on the étape's plan, the contact
    gets an employer account (if new) and an email. Slots are made by the interviews
    domain (`interviews.slots.accept`). Raises DomainError not_requested."""
    _lock_event(participation.event_id)
    participation = lock_participation(participation)
    if participation.status != ParticipationStatus.REQUESTED:
        raise DomainError(_("Cette demande a déjà été traitée."), "not_requested")
    participation.first_table = _next_first_table(participation.event_id)
    participation.status = ParticipationStatus.ACCEPTED
    participation.decided_at = utcnow()
    participation.decided_by_id = by.id
    db.session.flush()
    ensure_employer_user(participation)
    emails.queue_decision(participation)
    return participation


def refuse_participation(participation: Participation, by: User, reason: str) -> Participation:
    """Refuse a requested participation; the contact is told why. Raises not_requested."""
    participation = lock_participation(participation)
    if participation.status != ParticipationStatus.REQUESTED:
        raise DomainError(_("Cette demande a déjà été traitée."), "not_requested")
    participation.status = ParticipationStatus.REFUSED
    participation.refusal_reason = reason
    participation.decided_at = utcnow()
    participation.decided_by_id = by.id
    db.session.flush()
    emails.queue_decision(participation)
    return participation


def set_offers(participation: Participation, offers: list[tuple[int | None, OfferDetails]]) -> None:
    """Bring the participation's job offers to `offers` ((id or None for a new one,
    details)); offers left out are removed (wishes that named them keep the employer).
    Raises offer_missing."""
    if not offers:
        raise DomainError(
            _("Décrivez au moins une offre d'emploi."), "offer_missing", "offer1_title"
        )
    current = {offer.id: offer for offer in participation.offers}
    kept = []
    for offer_id, details in offers:
        offer = current.get(offer_id) if offer_id is not None else None
        if offer is None:
            kept.append(_new_offer(details))
            continue
        offer.title = details.title
        offer.contract_type = details.contract_type
        offer.rome_domain = details.rome_domain
        offer.positions = details.positions
        offer.description = details.description
        kept.append(offer)
    participation.offers[:] = kept
    db.session.flush()


def arrival_token(participation: Participation) -> str:
    """The secret of the employer's arrival QR code (made the first time it is asked)."""
    if participation.arrival_token is None:
        participation.arrival_token = secrets.token_urlsafe(32)
        db.session.flush()
    return participation.arrival_token


def participation_for_arrival(token: str) -> Participation | None:
    if not isinstance(token, str) or len(token) != 43 or not token.isascii():
        return None
    return db.session.scalar(
        select(Participation).where(
            Participation.arrival_token == token,
            Participation.status == ParticipationStatus.ACCEPTED,
        )
    )
