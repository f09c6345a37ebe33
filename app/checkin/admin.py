"""Back-office: an étape's tablets (add one and show its pairing QR code, revoke) and the
check-in log with its conflicts."""

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.models import Role
from app.auth.permissions import admin_required, staff_required
from app.candidates.models import Candidate, Registration, RegistrationStatus
from app.checkin import day, devices, queries, services
from app.checkin.forms import PairForm
from app.checkin.models import CheckInAttempt, CheckInDevice, CheckInMethod
from app.checkin.services import ALREADY_CHECKED_IN
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.interviews.models import Interview, InterviewStatus
from app.notifications.qr import qr_data_uri

bp = Blueprint("checkin_admin", __name__, url_prefix="/admin/etapes")

#: Pairing secrets shown once, kept in the admin's session until the page is left.
_SESSION_KEY = "pairing_secrets"


def _load_event(event_id: int):
    from app.events.models import Event

    return db.get_or_404(Event, event_id)


def _load_device_or_404(event, device_id: int) -> CheckInDevice:
    device = db.get_or_404(CheckInDevice, device_id)
    if device.event_id != event.id:
        abort(404)
    return device


def result_labels() -> dict[str, str]:
    return {
        "checked_in": _("Entrée enregistrée"),
        "already_checked_in": _("Déjà enregistré(e)"),
        "undone": _("Enregistrement annulé"),
        "invalid_code": _("Code illisible"),
        "unknown_code": _("Code inconnu"),
        "other_event": _("Autre étape"),
        "cancelled": _("Inscription annulée"),
        "waitlisted": _("Liste d'attente"),
    }


@bp.route("/<int:event_id>/tablettes")
@staff_required
def devices_list(event_id: int):
    event = _load_event(event_id)
    attempts = db.session.scalars(
        select(CheckInAttempt)
        .options(joinedload(CheckInAttempt.registration), joinedload(CheckInAttempt.device))
        .where(CheckInAttempt.event_id == event.id)
        .order_by(CheckInAttempt.created_at.desc(), CheckInAttempt.id.desc())
        .limit(50)
    ).all()
    conflicts = [a for a in attempts if a.offline and a.result == ALREADY_CHECKED_IN]
    return render_template(
        "checkin/admin/devices.html",
        event=event,
        devices=devices.devices_of(event),
        attempts=attempts,
        conflicts=conflicts,
        form=PairForm(),
        can_manage=current_user.role == Role.ADMIN,
        result_labels=result_labels(),
    )


@bp.route("/<int:event_id>/tablettes/ajouter", methods=["POST"])
@admin_required
def add_device(event_id: int):
    event = _load_event(event_id)
    if not PairForm().validate_on_submit():
        abort(400)
    device, secret = devices.add_device(event, by=current_user)
    db.session.commit()
    session[_SESSION_KEY] = {**session.get(_SESSION_KEY, {}), str(device.id): secret}
    return redirect(url_for(".device_code", event_id=event.id, device_id=device.id))


@bp.route("/<int:event_id>/tablettes/<int:device_id>")
@admin_required
def device_code(event_id: int, device_id: int):
    """The pairing QR code, to scan with the tablet (shown while it can be used)."""
    event = _load_event(event_id)
    device = _load_device_or_404(event, device_id)
    secret = session.get(_SESSION_KEY, {}).get(str(device.id))
    link = qr = None
    if secret and device.paired_at is None and device.revoked_at is None:
        link = url_for("checkin.pair", secret=secret, _external=True)
        qr = qr_data_uri(link)
    return render_template(
        "checkin/admin/device_code.html",
        event=event,
        device=device,
        link=link,
        qr=qr,
        form=PairForm(),
    )


@bp.route("/<int:event_id>/tablettes/<int:device_id>/retirer", methods=["POST"])
@admin_required
def revoke_device(event_id: int, device_id: int):
    event = _load_event(event_id)
    device = _load_device_or_404(event, device_id)
    if not PairForm().validate_on_submit():
        abort(400)
    devices.revoke(device)
    db.session.commit()
    secrets = session.get(_SESSION_KEY, {})
    secrets.pop(str(device.id), None)
    session[_SESSION_KEY] = secrets
    flash(
        _("%(name)s est retirée : elle ne peut plus enregistrer d'arrivées.", name=device.name),
        "success",
    )
    return redirect(url_for(".devices_list", event_id=event.id))


@bp.route("/<int:event_id>/cloture", methods=["GET", "POST"])
@staff_required
def close_day(event_id: int):
    """End of the day: remaining registrations become no-shows, coordinators get a summary."""
    event = _load_event(event_id)
    form = PairForm()
    if form.validate_on_submit():
        try:
            summary = day.close_day(event, by=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(
                _(
                    "Journée clôturée : %(absent)d absents ; le bilan est envoyé aux coordinateurs.",
                    absent=summary.no_shows,
                ),
                "success",
            )
        return redirect(url_for("checkin.board", event_id=event.id))
    return render_template(
        "checkin/admin/close_day.html",
        event=event,
        form=form,
        summary=day.day_summary(event),
        board=queries.board(event),
        not_over=utcnow() < event.ends,
    )


def _expected_people(event):
    """Confirmed registrations of the étape, by name, with their interviews."""
    registrations = db.session.scalars(
        select(Registration)
        .join(Registration.candidate)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(Candidate.last_name, Candidate.first_name)
    ).all()
    interviews = {}
    for interview in db.session.scalars(
        select(Interview)
        .join(Registration)
        .where(
            Registration.event_id == event.id,
            Interview.status != InterviewStatus.CANCELLED,
        )
        .order_by(Interview.starts_at)
    ):
        interviews.setdefault(interview.registration_id, []).append(interview)
    return registrations, interviews


@bp.route("/<int:event_id>/liste-papier")
@staff_required
def paper_list(event_id: int):
    """The A4 list of expected people with their ticket codes, in case every tablet fails."""
    event = _load_event(event_id)
    registrations, interviews = _expected_people(event)
    return render_template(
        "checkin/admin/paper_list.html",
        event=event,
        registrations=registrations,
        interviews=interviews,
        checked_in=services.checked_in_ids(event),
    )


@bp.route("/<int:event_id>/badges")
@staff_required
def badges(event_id: int):
    """Name badges of the expected people, 8 to an A4 page."""
    event = _load_event(event_id)
    registrations, interviews = _expected_people(event)
    return render_template(
        "checkin/admin/badges.html",
        event=event,
        registrations=registrations,
        interviews=interviews,
    )


@bp.route("/<int:event_id>/inscriptions/<int:registration_id>/arrivee", methods=["POST"])
@staff_required
def check_in(event_id: int, registration_id: int):
    """Staff let someone in from the registration's page (the same service as the tablets)."""
    event = _load_event(event_id)
    if not PairForm().validate_on_submit():
        abort(400)
    actor = services.Actor(user=current_user)
    try:
        result = services.check_in_registration(
            event.id, registration_id, actor=actor, method=CheckInMethod.BACK_OFFICE
        )
    except services.CheckInError as error:
        db.session.rollback()
        services.record_refusal(event.id, "", error, actor=actor, method=CheckInMethod.BACK_OFFICE)
        db.session.commit()
        flash(error.message, "error")
    else:
        db.session.commit()
        person = result.person.full_name
        if result.checked_in_now:
            flash(_("Arrivée enregistrée : %(name)s.", name=person), "success")
        else:
            flash(f"{person} : {services.already_message(result.arrival)}", "success")
    return redirect(url_for("candidates_admin.registration", registration_id=registration_id))
