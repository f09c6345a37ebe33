"""Setting up the tour, its venues and its étapes.

Every function adds and flushes; the caller commits once. A capacity change goes through
`app.candidates.services.change_capacity`, which also promotes people from the waiting list
(candidates stand above events: this module never imports them).

DomainError codes (with the form field they are about): slug_taken (slug),
hours_not_in_order (ends_at), registration_dates_not_in_order (registration_closes_on),
registration_closes_after_event (registration_closes_on), capacity_negative (capacity),
tour_not_found (tour_id), venue_not_found (venue_id).
"""

from dataclasses import dataclass, fields
from datetime import date, time

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.db import lock_for_update
from app.errors import DomainError
from app.events.models import Event, EventStatus, Tour, Venue
from app.extensions import db


@dataclass
class TourDetails:
    """A tour as the set-up form gives it (already cleaned)."""

    name: str
    slug: str
    year: int
    min_age: int = 50
    description: str = ""


@dataclass
class VenueDetails:
    """A venue as the set-up form gives it (already cleaned)."""

    name: str
    address: str
    postcode: str
    town: str
    transport: str = ""
    accessibility: str = ""


@dataclass
class EventDetails:
    """An étape's settings, except its tour (fixed at creation) and capacity (see
    `app.candidates.services.change_capacity`)."""

    venue_id: int
    date: date
    starts_at: time
    ends_at: time
    registration_opens_on: date
    registration_closes_on: date
    status: EventStatus = EventStatus.DRAFT
    notes: str = ""


def _apply(target, details) -> None:
    for item in fields(details):
        setattr(target, item.name, getattr(details, item.name))


def _check_slug_free(slug: str, tour: Tour | None = None) -> None:
    statement = select(Tour.id).where(func.lower(Tour.slug) == slug.lower())
    if tour is not None:
        statement = statement.where(Tour.id != tour.id)
    if db.session.scalar(statement) is not None:
        raise DomainError(
            _(
                "Une autre tournée utilise déjà l'identifiant « %(slug)s ». Choisissez-en un autre.",
                slug=slug,
            ),
            "slug_taken",
            "slug",
        )


def create_tour(details: TourDetails) -> Tour:
    """Create a tour. Raises DomainError slug_taken."""
    _check_slug_free(details.slug)
    tour = Tour()
    _apply(tour, details)
    db.session.add(tour)
    db.session.flush()
    return tour


def update_tour(tour: Tour, details: TourDetails) -> Tour:
    """Change a tour's name, identifier, year, minimum age or description.

    Registrations already made stay valid if the minimum age changes. Raises slug_taken.
    """
    _check_slug_free(details.slug, tour)
    _apply(tour, details)
    db.session.flush()
    return tour


def create_venue(details: VenueDetails) -> Venue:
    venue = Venue()
    _apply(venue, details)
    db.session.add(venue)
    db.session.flush()
    return venue


def update_venue(venue: Venue, details: VenueDetails) -> Venue:
    """Change a venue: every étape held there shows the new details."""
    _apply(venue, details)
    db.session.flush()
    return venue


def _check_event(details: EventDetails) -> Venue:
    """Check an étape's settings; return its venue."""
    venue = db.session.get(Venue, details.venue_id)
    if venue is None:
        raise DomainError(_("Choisissez un lieu dans la liste."), "venue_not_found", "venue_id")
    if details.ends_at <= details.starts_at:
        raise DomainError(
            _("L'heure de fin doit être après l'heure de début."),
            "hours_not_in_order",
            "ends_at",
        )
    if details.registration_closes_on < details.registration_opens_on:
        raise DomainError(
            _("La clôture des inscriptions doit être le jour de l'ouverture ou après."),
            "registration_dates_not_in_order",
            "registration_closes_on",
        )
    if details.registration_closes_on > details.date:
        raise DomainError(
            _("La clôture des inscriptions doit être au plus tard le jour de l'étape."),
            "registration_closes_after_event",
            "registration_closes_on",
        )
    return venue


def create_event(tour_id: int, capacity: int, details: EventDetails) -> Event:
    """Create an étape of a tour with its candidate capacity.

    Raises DomainError: tour_not_found, venue_not_found, hours_not_in_order,
    registration_dates_not_in_order, registration_closes_after_event, capacity_negative.
    """
    if db.session.get(Tour, tour_id) is None:
        raise DomainError(_("Choisissez une tournée dans la liste."), "tour_not_found", "tour_id")
    venue = _check_event(details)
    if capacity < 0:
        raise DomainError(
            _("La capacité est un nombre de places : 0 ou plus."), "capacity_negative", "capacity"
        )
    event = Event(tour_id=tour_id, capacity=capacity, seats_taken=0)
    _apply(event, details)
    event.venue = venue
    db.session.add(event)
    db.session.flush()
    return event


def update_event(event: Event, details: EventDetails) -> Event:
    """Change an étape's venue, date, hours, registration dates, status or notes.

    The étape row is locked first so that registrations wait for the change. Raises
    DomainError: venue_not_found, hours_not_in_order, registration_dates_not_in_order,
    registration_closes_after_event.
    """
    statement = select(Event).where(Event.id == event.id)
    db.session.scalar(lock_for_update(statement, db.session.get_bind().dialect.name, of=Event))
    venue = _check_event(details)
    _apply(event, details)
    event.venue = venue  # the relationship too, not only the column
    db.session.flush()
    return event
