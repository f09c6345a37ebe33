"""The tablet at the door: pairing, then check-in by code (camera, scanner, typed) or by
name, with an undo. Pages work without JavaScript; `checkin.js` adds the camera and the
offline queue on top, through the API."""

import hashlib
import os
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import public
from app.candidates.tickets import TICKET_PATTERN, TICKET_SEPARATORS
from app.checkin import day, devices, queries, services
from app.checkin.forms import (
    ArrivalForm,
    BookNowForm,
    CheckInCodeForm,
    CheckInPersonForm,
    PairForm,
    UndoForm,
    WalkInForm,
)
from app.checkin.models import CheckInMethod
from app.checkin.permissions import current_device, device_or_staff
from app.checkin.queries import desk_figures, recent_check_ins
from app.employers import services as employer_services
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.interviews.services import booking

bp = Blueprint("checkin", __name__, url_prefix="/accueil")

#: HTTP status of each refusal, on the page and in the API.
REFUSAL_STATUS = {
    "invalid_code": 422,
    "invalid_nonce": 422,
    "unknown_code": 404,
    "other_event": 409,
    "cancelled": 409,
    "waitlisted": 409,
    "not_checked_in": 409,
    "undo_too_late": 409,
}


def signed_in_staff():
    """The staff member signed in on this browser, or None. Staff sign in with the session
    cookie and no other way (no "remember me", no tokens): a tablet's request, without one,
    does not ask Flask-Login, which would make an anonymous user and hash the client's
    address and browser to protect a session there is not."""
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return None
    return current_user if current_user.is_authenticated and current_user.is_staff else None


def actor() -> services.Actor:
    user = signed_in_staff()
    return services.Actor(device=current_device(), user=user)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


@bp.route("/appairer/<secret>", methods=["GET", "POST"])
@public
def pair(secret: str):
    """The tablet opens the link of the QR code shown in the back-office, then confirms."""
    try:
        device = devices.pending_device(secret)
    except DomainError as error:
        return render_template("checkin/pair_invalid.html", message=error.message), 410
    form = PairForm()
    if form.validate_on_submit():
        try:
            device, token = devices.pair(secret)
        except DomainError as error:
            db.session.rollback()
            return render_template("checkin/pair_invalid.html", message=error.message), 410
        db.session.commit()
        response = redirect(url_for(".desk", event_id=device.event_id))
        response.set_cookie(
            devices.COOKIE_NAME,
            token,
            expires=device.expires_at,
            httponly=True,
            samesite="Strict",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
        flash(_("La tablette est prête : %(name)s.", name=device.name), "success")
        return response
    return render_template("checkin/pair.html", device=device, form=form)


def _load_event(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def _desk(event: Event, *, result=None, error=None, status: int = 200, code_form=None):
    response = make_response(
        render_template(
            "checkin/desk.html",
            event=event,
            device=current_device(),
            code_form=code_form or CheckInCodeForm(formdata=None, nonce=new_nonce()),
            result=result,
            error=error,
            undo_form=UndoForm(),
            figures=desk_figures(event),
            recent=recent_check_ins(event),
            already_message=services.already_message,
            invalid_code_message=services.invalid_code_message(),
            ticket_pattern=TICKET_PATTERN,
            ticket_separators=TICKET_SEPARATORS.pattern,
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/etapes/<int:event_id>")
@device_or_staff
def desk(event_id: int):
    return _desk(_load_event(event_id))


@bp.route("/etapes/<int:event_id>/code", methods=["POST"])
@device_or_staff
def check_in_code(event_id: int):
    """A code from the scanner field (or typed): the answer fills the screen."""
    event = _load_event(event_id)
    form = CheckInCodeForm()
    if not form.validate_on_submit():
        return _desk(event, code_form=form, status=422)
    method = CheckInMethod(form.method.data)
    try:
        result = services.check_in(
            event.id, form.code.data, actor=actor(), method=method, nonce=form.nonce.data
        )
    except services.CheckInError as error:
        db.session.rollback()
        services.record_refusal(
            event.id, form.code.data, error, actor=actor(), method=method, nonce=form.nonce.data
        )
        db.session.commit()
        return _desk(event, error=error, status=REFUSAL_STATUS.get(error.code, 422))
    db.session.commit()
    return _desk(event, result=result)


@bp.route("/etapes/<int:event_id>/recherche")
@device_or_staff
def search(event_id: int):
    """People of the étape by name, phone or code, to confirm from a list."""
    event = _load_event(event_id)
    query = request.args.get("q", "")[:80]
    people = services.search(event, query)
    response = make_response(
        render_template(
            "checkin/search.html",
            event=event,
            device=current_device(),
            figures=desk_figures(event),
            query=query,
            people=people,
            checked_in=services.check_ins_by_registration(event, people),
            person_form=CheckInPersonForm(formdata=None),
            nonce=new_nonce,
            already_message=services.already_message,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/etapes/<int:event_id>/personnes/<int:registration_id>", methods=["POST"])
@device_or_staff
def check_in_person(event_id: int, registration_id: int):
    event = _load_event(event_id)
    form = CheckInPersonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = services.check_in_registration(
            event.id, registration_id, actor=actor(), nonce=form.nonce.data
        )
    except services.CheckInError as error:
        db.session.rollback()
        services.record_refusal(
            event.id,
            "",
            error,
            actor=actor(),
            method=CheckInMethod.SEARCH,
            nonce=form.nonce.data,
        )
        db.session.commit()
        return _desk(event, error=error, status=REFUSAL_STATUS.get(error.code, 422))
    db.session.commit()
    return _desk(event, result=result)


@bp.route("/etapes/<int:event_id>/annuler/<int:check_in_id>", methods=["POST"])
@device_or_staff
def undo(event_id: int, check_in_id: int):
    event = _load_event(event_id)
    if not UndoForm().validate_on_submit():
        abort(400)
    try:
        registration = services.undo_check_in(event, check_in_id, actor=actor())
    except services.CheckInError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _(
                "Enregistrement annulé : %(name)s n'est plus compté(e) parmi les arrivées.",
                name=registration.candidate.full_name,
            ),
            "success",
        )
    return redirect(url_for(".desk", event_id=event.id))


def _show_domain_error(form, error: DomainError) -> None:
    """A registration refusal shown beside its field (or at the top of the form)."""
    field = getattr(form, error.field or "", None) if error.field else None
    if field is None and error.code == "too_young":
        field = form.birth_year
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


@bp.route("/etapes/<int:event_id>/sur-place", methods=["GET", "POST"])
@device_or_staff
def walk_in(event_id: int):
    """Someone without a registration: a short form, then in at once."""
    event = _load_event(event_id)
    form = WalkInForm(event=event)
    if request.method == "GET":
        form.nonce.data = new_nonce()
    if form.validate_on_submit():
        try:
            result = day.walk_in(event, form.details(), actor=actor(), nonce=form.nonce.data)
        except DomainError as error:
            db.session.rollback()
            _show_domain_error(form, error)
        else:
            db.session.commit()
            return _desk(event, result=result)
    return render_template(
        "checkin/walk_in.html",
        event=event,
        device=current_device(),
        figures=desk_figures(event),
        form=form,
    ), 422 if form.errors else 200


@bp.route("/etapes/<int:event_id>/personnes/<int:registration_id>/admettre", methods=["POST"])
@device_or_staff
def admit(event_id: int, registration_id: int):
    """A waitlisted or cancelled person who came anyway: admitted and let in."""
    event = _load_event(event_id)
    form = CheckInPersonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = day.admit(event, registration_id, actor=actor(), nonce=form.nonce.data)
    except DomainError as error:
        db.session.rollback()
        return _desk(event, error=error, status=REFUSAL_STATUS.get(error.code, 409))
    db.session.commit()
    return _desk(event, result=result)


def _load_registration(event: Event, registration_id: int):
    from app.candidates.models import Registration

    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


@bp.route(
    "/etapes/<int:event_id>/personnes/<int:registration_id>/employeurs", methods=["GET", "POST"]
)
@device_or_staff
def free_tables(event_id: int, registration_id: int):
    """Who can receive this person now: employers of their wishes or domains with a free
    table in the next 30 minutes; one tap books it."""
    event = _load_event(event_id)
    registration = _load_registration(event, registration_id)
    form = BookNowForm()
    booked = None
    status = 200
    if form.validate_on_submit():
        try:
            booked = day.book_now(event, registration.id, form.slot_id.data, actor=actor())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            status = 409
        else:
            db.session.commit()
    elif request.method == "POST":
        abort(400)
    now = day.now_in_paris()  # one instant for the list and for why it may be empty
    return render_template(
        "checkin/free_tables.html",
        event=event,
        device=current_device(),
        registration=registration,
        tables=day.free_tables(event, registration, now),
        not_yet=day.no_free_table_yet(event, now),
        interviews=booking.active_interviews_of(registration.id),
        booked=booked,
        form=BookNowForm(formdata=None),
        window=int(day.FREE_WINDOW.total_seconds() // 60),
    ), status


@bp.route("/etapes/<int:event_id>/employeurs", methods=["GET"])
@device_or_staff
def employers(event_id: int):
    """The employers expected today, to mark present as they arrive."""
    event = _load_event(event_id)
    return render_template(
        "checkin/employers.html",
        event=event,
        device=current_device(),
        participations=day.expected_employers(event),
        form=ArrivalForm(formdata=None),
    )


@bp.route("/etapes/<int:event_id>/employeurs/<int:participation_id>", methods=["POST"])
@device_or_staff
def employer_arrival(event_id: int, participation_id: int):
    event = _load_event(event_id)
    form = ArrivalForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        participation = day.mark_arrived(event, participation_id, arrived=form.arrived.data == "1")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        name = participation.establishment.display_name
        if participation.arrived_at:
            flash(_("%(name)s est arrivé.", name=name), "success")
        else:
            flash(_("%(name)s n'est plus marqué présent.", name=name), "success")
    return redirect(url_for(".employers", event_id=event.id, _anchor=f"p{participation_id}"))


@bp.route("/employeur/<token>", methods=["GET", "POST"])
@public
def employer_self_arrival(token: str):
    """The employer's own arrival QR code (from their day's email or portal), opened on
    their phone at the venue: one button marks them present."""
    participation = employer_services.participation_for_arrival(token)
    if participation is None:
        return render_template(
            "checkin/pair_invalid.html",
            heading=_("Lien d'arrivée inutilisable"),
            message=_("Ce lien d'arrivée n'existe pas. Présentez-vous à l'accueil."),
            arrival=True,
        ), 410
    form = ArrivalForm()
    if form.validate_on_submit():
        day.mark_arrived(participation.event, participation.id)
        db.session.commit()
    return render_template(
        "checkin/employer_arrival.html",
        participation=participation,
        event=participation.event,
        form=ArrivalForm(formdata=None, arrived="1"),
    )


@bp.route("/etapes/<int:event_id>/tableau")
@device_or_staff
def board(event_id: int):
    """The coordinators' live board (refreshed by `board.js` without reloading)."""
    event = _load_event(event_id)
    return render_template(
        "checkin/board.html",
        event=event,
        device=current_device(),
        board=queries.board(event),
        can_close=current_user.is_authenticated and current_user.is_staff,
    )


@bp.route("/etapes/<int:event_id>/grand-ecran")
@device_or_staff
def big_screen(event_id: int):
    """The hall's big screen: the tables free now, readable from five metres."""
    event = _load_event(event_id)
    return render_template("checkin/big_screen.html", event=event, board=queries.board(event))


#: What the service worker keeps for the tablet to open offline.
SHELL_FILES = (
    "css/site.css",
    "css/checkin.css",
    "js/hours.js",
    "js/checkin.js",
    "vendor/jsqr/jsQR.js",
)


@bp.route("/sw.js")
@public
def service_worker():
    """The tablet's service worker, served from /accueil/ so that it may keep its pages."""
    folder = current_app.static_folder
    stamps = "".join(str(int(os.path.getmtime(os.path.join(folder, name)))) for name in SHELL_FILES)
    response = make_response(
        render_template(
            "checkin/sw.js",
            version=hashlib.sha256(stamps.encode()).hexdigest()[:12],
            shell=[url_for("static", filename=name) for name in SHELL_FILES],
            offline_page=render_template("checkin/offline.html"),
        )
    )
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Service-Worker-Allowed"] = "/accueil/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.before_app_request
def _forget_device():
    g.pop("checkin_device", None)
