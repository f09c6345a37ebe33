"""The JSON API under /api/v1/ (described by `openapi.py`, served at /api/v1/openapi.json).

Authenticated by a tablet paired for the étape (its cookie) or a staff session. Requests
that change something send JSON (`Content-Type: application/json`), which a page of another
site cannot do without the browser asking first: with SameSite cookies, that is the CSRF
protection here, so the blueprint is exempt from the form tokens (an offline queue may be
sent hours after its page was loaded). Errors are `{"error": {"code", "message"}}`.
"""

from datetime import datetime

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from app.auth.permissions import public
from app.checkin import queries, services
from app.checkin.models import CheckInMethod
from app.checkin.openapi import openapi_document
from app.checkin.permissions import current_device, device_or_staff
from app.checkin.queries import desk_figures, recent_check_ins
from app.checkin.routes import REFUSAL_STATUS, actor
from app.checkin.services import Arrival, Person
from app.db import reads_outside_transaction
from app.extensions import csrf, db
from app.formatting import hour

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

API_METHODS = {
    "camera": CheckInMethod.CAMERA,
    "scanner": CheckInMethod.SCANNER,
    "search": CheckInMethod.SEARCH,
}


class BadRequest(Exception):
    """The request itself is malformed (400), or not JSON (415)."""

    def __init__(self, message: str, code: str = "invalid_request", status: int = 400):
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


def error_response(code: str, message: str, status: int):
    return jsonify({"error": {"code": code, "message": message}}), status


@bp.errorhandler(BadRequest)
def _bad_request(error: BadRequest):
    return error_response(error.code, error.message, error.status)


def _load_event(event_id: int):
    from app.events.models import Event

    event = db.session.get(Event, event_id)
    if event is None:
        raise BadRequest(_("Étape introuvable."), "not_found", 404)
    return event


def _require_event(event_id: int) -> None:
    """A 404 unless the étape exists, read for staff only: a tablet's exists (it is paired
    for it), and the check-in and search need nothing else of it."""
    if current_device() is None:
        _load_event(event_id)


def _json_body() -> dict:
    if not request.is_json:
        raise BadRequest(
            _("Envoyez du JSON (Content-Type: application/json)."), "unsupported_media_type", 415
        )
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # arrays nested a thousand deep: no request of ours
        body = None
    if not isinstance(body, dict):
        raise BadRequest(_("Le corps de la requête doit être un objet JSON."))
    return body


def _string(body: dict, name: str, *, required: bool = False, max_length: int = 200):
    if name not in body:
        if required:
            raise BadRequest(_("Le champ « %(name)s » manque.", name=name))
        return None
    value = body[name]
    if not isinstance(value, str) or len(value) > max_length:
        raise BadRequest(
            _(
                "Le champ « %(name)s » doit être un texte de %(max)d caractères au plus.",
                name=name,
                max=max_length,
            )
        )
    return value


def _scanned_at(body: dict) -> datetime | None:
    value = _string(body, "scanned_at", max_length=40)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise BadRequest(
            _(
                "« scanned_at » doit être une date ISO 8601 avec fuseau, par exemple 2026-12-02T09:42:00Z."
            )
        )
    return parsed


def person_json(person: Person) -> dict:
    return {
        "registration_id": person.registration_id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "status": person.status.value,
        "ticket_code": person.ticket_code,
    }


def check_in_json(arrival: Arrival | None) -> dict | None:
    if arrival is None:
        return None
    return {
        "id": arrival.id,
        "checked_in_at": arrival.checked_in_at.isoformat(),
        "scanned_at": arrival.scanned_at.isoformat(),
        "method": arrival.method.value,
        "device": arrival.device_name,
    }


def interview_json(interview: services.DayInterview) -> dict:
    return {
        "starts_at": interview.starts_at.strftime("%H:%M"),
        "time": hour(interview.starts_at),
        "table": interview.table,
        "employer": interview.employer,
    }


def result_json(result: services.CheckInResult) -> dict:
    person = result.person
    if result.checked_in_now:
        message = _("Bienvenue %(name)s", name=person.full_name)
    elif result.arrival is not None:
        message = f"{person.full_name} : {services.already_message(result.arrival)}"
    else:
        message = _("%(name)s : enregistrement annulé depuis.", name=person.full_name)
    return {
        "result": result.status,
        "replayed": result.replayed,
        "message": message,
        "person": person_json(person),
        "check_in": check_in_json(result.arrival),
        "interviews": [interview_json(i) for i in result.interviews],
    }


@bp.route("/openapi.json")
@public
def openapi():
    return jsonify(openapi_document())


@bp.route("/events/<int:event_id>/check-ins", methods=["POST"])
@device_or_staff
def create_check_in(event_id: int):
    """Check in a ticket code (or a registration found by name)."""
    _require_event(event_id)
    body = _json_body()
    nonce = _string(body, "nonce", required=True, max_length=64)
    if not nonce:  # the service takes "" for no nonce; the API asks for one
        raise BadRequest(services.invalid_nonce_message(), "invalid_nonce", 422)
    code = _string(body, "code")
    registration_id = body.get("registration_id")
    if "registration_id" in body and (
        isinstance(registration_id, bool)
        or not isinstance(registration_id, int)
        or not 1 <= registration_id <= 2**31 - 1
    ):
        raise BadRequest(_("« registration_id » doit être un nombre entier positif."))
    if (code is None) == (registration_id is None):
        raise BadRequest(_("Envoyez soit « code », soit « registration_id »."))
    method_name = _string(body, "method", max_length=20) or (
        "search" if registration_id is not None else "scanner"
    )
    if method_name not in API_METHODS:
        raise BadRequest(_("« method » vaut camera, scanner ou search."))
    offline = body.get("offline", False)  # null is not a boolean either
    if not isinstance(offline, bool):
        raise BadRequest(_("« offline » vaut true ou false."))
    scanned_at = _scanned_at(body)
    method = API_METHODS[method_name]
    try:
        if registration_id is not None:
            result = services.check_in_registration(
                event_id,
                registration_id,
                actor=actor(),
                method=method,
                nonce=nonce,
                scanned_at=scanned_at,
            )
        else:
            result = services.check_in(
                event_id,
                code,
                actor=actor(),
                method=method,
                nonce=nonce,
                scanned_at=scanned_at,
                offline=offline,
            )
    except services.CheckInError as error:
        db.session.rollback()
        services.record_refusal(
            event_id,
            code or "",
            error,
            actor=actor(),
            method=method,
            nonce=nonce,
            scanned_at=scanned_at,
            offline=offline,
        )
        body = {"error": {"code": error.code, "message": error.message}}
        if error.registration is not None:  # read in this transaction, not in a new one
            body["person"] = person_json(Person.of(error.registration))
        db.session.commit()
        return jsonify(body), REFUSAL_STATUS.get(error.code, 422)
    # The result holds plain values: the answer is built once the locks are let go (the
    # registration's row on PostgreSQL, the writer's lock on SQLite).
    db.session.commit()
    return jsonify(result_json(result)), 201 if result.checked_in_now else 200


@bp.route("/events/<int:event_id>/check-ins/<int:check_in_id>", methods=["DELETE"])
@device_or_staff
def delete_check_in(event_id: int, check_in_id: int):
    """Undo a check-in (within a minute from a tablet)."""
    event = _load_event(event_id)
    try:
        registration = services.undo_check_in(event, check_in_id, actor=actor())
    except services.CheckInError as error:
        db.session.rollback()
        return error_response(error.code, error.message, REFUSAL_STATUS.get(error.code, 409))
    db.session.commit()
    return jsonify({"result": services.UNDONE, "person": person_json(Person.of(registration))})


@bp.route("/events/<int:event_id>/status")
@reads_outside_transaction
@device_or_staff
def status(event_id: int):
    """The étape now: people expected and arrived, the last arrivals."""
    event = _load_event(event_id)
    figures = desk_figures(event)
    return jsonify(
        {
            "event": {
                "id": event.id,
                "town": event.venue.town,
                "date": event.date.isoformat(),
            },
            "expected": figures.expected,
            "arrived": figures.arrived,
            "recent": [
                {**check_in_json(Arrival.of(c)), "person": person_json(Person.of(c.registration))}
                for c in recent_check_ins(event)
            ],
        }
    )


def board_json(board) -> dict:
    return {
        "now": board.now.isoformat(),
        "expected": board.expected,
        "arrived": board.arrived,
        "timeline": [
            {"at": at, "arrived": arrived, "expected": expected}
            for at, arrived, expected in board.timeline
        ],
        "employers_expected": board.employers_expected,
        "employers_present": board.employers_present,
        "interviews_planned": board.interviews_planned,
        "interviews_held": board.interviews_held,
        "interviews_in_progress": board.interviews_in_progress,
        "interviews_missed": board.interviews_missed,
        "no_shows": board.no_shows,
        "free_now": [
            {
                "employer": table.employer,
                "table": table.table,
                "starts_at": table.starts_at.strftime("%H:%M"),
                "time": hour(table.starts_at),
            }
            for table in board.free_now
        ],
    }


@bp.route("/events/<int:event_id>/board")
@reads_outside_transaction
@device_or_staff
def live_board(event_id: int):
    """The étape now: arrivals over the morning, employers, interviews, free tables."""
    return jsonify(board_json(queries.board(_load_event(event_id))))


@bp.route("/events/<int:event_id>/search")
@reads_outside_transaction
@device_or_staff
def search(event_id: int):
    """People of the étape by name, phone or ticket code (at least 2 characters)."""
    _require_event(event_id)
    query = request.args.get("q", "")
    if len(query) > 200:
        raise BadRequest(_("« q » : 200 caractères au plus."))
    found = services.search_people(event_id, query)
    return jsonify(
        {
            "people": [
                {**person_json(person), "check_in": check_in_json(arrival)}
                for person, arrival in found
            ]
        }
    )
