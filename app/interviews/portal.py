"""The employer portal: their étapes, offers, slot grid, booked candidates and profiles, a
printable day sheet, and recording each interview's outcome on the day from a phone.

An employer user sees only the participations of their establishment (or company): every
object is loaded through `_participation_or_404`, so another employer's id gives a 404.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.permissions import employer_required
from app.candidates.documents import cv_download
from app.candidates.models import Registration, RegistrationStatus
from app.db import writes_on_get
from app.employers import services as employers
from app.employers.forms import OffersForm
from app.employers.models import EmployerMember, Establishment, Participation
from app.errors import DomainError
from app.events.models import Event, today_in_paris
from app.extensions import db
from app.interviews import queries
from app.interviews.forms_portal import OutcomeForm, ReviewForm
from app.interviews.models import Interview, InterviewStatus, ProfileReview, Slot, Verdict
from app.interviews.services import booking, reviews
from app.notifications.qr import qr_data_uri

bp = Blueprint("employer_portal", __name__, url_prefix="/espace-employeur")


def _member() -> EmployerMember:
    member = db.session.scalar(
        select(EmployerMember).where(EmployerMember.user_id == current_user.id)
    )
    if member is None:
        abort(404)
    return member


def _participations(member: EmployerMember) -> list[Participation]:
    statement = (
        select(Participation)
        .join(Participation.establishment)
        .join(Participation.event)
        .order_by(Event.date.desc(), Establishment.name)
    )
    if member.establishment_id is not None:
        statement = statement.where(Participation.establishment_id == member.establishment_id)
    else:
        statement = statement.where(Establishment.company_id == member.company_id)
    return list(db.session.scalars(statement).unique())


def _participation_or_404(participation_id: int) -> Participation:
    participation = db.session.get(Participation, participation_id)
    if participation is None or not _member().covers(participation.establishment):
        abort(404)
    return participation


def _interview_or_404(participation: Participation, interview_id: int) -> Interview:
    interview = db.session.get(Interview, interview_id)
    if interview is None or interview.slot.participation_id != participation.id:
        abort(404)
    return interview


def _schedule(participation: Participation) -> tuple[list, list[int], dict]:
    """(start times, tables, {(start, table): (slot, active interview or None)})."""
    slots = db.session.scalars(
        select(Slot)
        .where(Slot.participation_id == participation.id)
        .order_by(Slot.starts_at, Slot.table_number)
    ).all()
    interviews = {
        interview.slot_id: interview
        for interview in db.session.scalars(
            select(Interview).where(
                Interview.slot_id.in_([slot.id for slot in slots]),
                Interview.status != InterviewStatus.CANCELLED,
            )
        )
    }
    cells = {(slot.starts_at, slot.table_number): (slot, interviews.get(slot.id)) for slot in slots}
    times = sorted({slot.starts_at for slot in slots})
    tables = sorted({slot.table_number for slot in slots})
    return times, tables, cells


def _shared_profiles(participation: Participation) -> list[tuple[Registration, str | None]]:
    """Registrations of the étape that share their profile, with this employer's verdict."""
    verdicts = dict(
        db.session.execute(
            select(ProfileReview.registration_id, ProfileReview.verdict).where(
                ProfileReview.participation_id == participation.id
            )
        ).all()
    )
    registrations = db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == participation.event_id,
            Registration.shares_profile.is_(True),
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .order_by(Registration.id)
    ).unique()
    return [
        (registration, verdicts.get(registration.id))
        for registration in registrations
        if reviews.can_see_profile(participation, registration)
    ]


@bp.get("/")
@employer_required
def home():
    member = _member()
    return render_template(
        "interviews/portal/home.html",
        member=member,
        participations=_participations(member),
        today=today_in_paris(),
    )


@bp.get("/participations/<int:participation_id>")
@writes_on_get  # the RGPD log of who opened which profile
@employer_required
def participation(participation_id: int):
    participation = _participation_or_404(participation_id)
    times, tables, cells = _schedule(participation)
    profiles = _shared_profiles(participation)
    for registration, _verdict in profiles:
        reviews.log_access(current_user, registration, "profile_list")
    db.session.commit()
    return render_template(
        "interviews/portal/participation.html",
        participation=participation,
        event=participation.event,
        times=times,
        tables=tables,
        cells=cells,
        booked=queries.list_booked_interviews(participation),
        profiles=profiles,
        review_form=ReviewForm(),
    )


@bp.post("/participations/<int:participation_id>/profils/<int:registration_id>")
@employer_required
def review(participation_id: int, registration_id: int):
    participation = _participation_or_404(participation_id)
    registration = db.session.get(Registration, registration_id)
    form = ReviewForm()
    if registration is None or not form.validate_on_submit():
        abort(404 if registration is None else 400)
    verdict = Verdict(form.verdict.data) if form.verdict.data != "none" else None
    try:
        reviews.review(participation, registration, verdict, current_user)
    except DomainError:
        db.session.rollback()
        abort(404)
    db.session.commit()
    flash(_("C'est noté."), "success")
    return redirect(
        url_for(
            ".participation", participation_id=participation.id, _anchor=f"profil-{registration.id}"
        )
    )


@bp.get("/participations/<int:participation_id>/profils/<int:registration_id>/cv")
@writes_on_get  # the RGPD log of who opened which profile
@employer_required
def cv(participation_id: int, registration_id: int):
    """A shared candidate's CV, as a download; each opening is logged."""
    participation = _participation_or_404(participation_id)
    registration = db.session.get(Registration, registration_id)
    if (
        registration is None
        or not reviews.can_see_profile(participation, registration)
        or registration.candidate.cv is None
    ):
        abort(404)
    reviews.log_access(current_user, registration, "cv")
    db.session.commit()
    return cv_download(registration.candidate.cv)


@bp.get("/participations/<int:participation_id>/journee")
@writes_on_get  # the RGPD log of who opened which profile
@employer_required
def day_sheet(participation_id: int):
    participation = _participation_or_404(participation_id)
    booked = queries.list_booked_interviews(participation)
    for interview in booked:
        reviews.log_access(current_user, interview.registration, "day_sheet")
    arrival_url = url_for(
        "checkin.employer_self_arrival",
        token=employers.arrival_token(participation),
        _external=True,
    )
    db.session.commit()
    return render_template(
        "interviews/portal/day_sheet.html",
        participation=participation,
        event=participation.event,
        booked=booked,
        arrival_url=arrival_url,
        arrival_qr=qr_data_uri(arrival_url),
    )


@bp.get("/participations/<int:participation_id>/resultats")
@employer_required
def outcomes(participation_id: int):
    participation = _participation_or_404(participation_id)
    return render_template(
        "interviews/portal/outcomes.html",
        participation=participation,
        event=participation.event,
        booked=queries.list_booked_interviews(participation),
        form=OutcomeForm(),
        is_day=participation.event.date <= today_in_paris(),
    )


@bp.post("/participations/<int:participation_id>/entretiens/<int:interview_id>/resultat")
@employer_required
def record_outcome(participation_id: int, interview_id: int):
    participation = _participation_or_404(participation_id)
    interview = _interview_or_404(participation, interview_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        flash(_("Choisissez une réponse."), "error")
    else:
        held, concluant = OutcomeForm.ANSWERS[form.answer.data]
        try:
            booking.record_outcome(
                interview, held=held, concluant=concluant, note=form.note.data or ""
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(
                _("Enregistré pour %(name)s.", name=interview.registration.candidate.full_name),
                "success",
            )
    return redirect(
        url_for(".outcomes", participation_id=participation.id, _anchor=f"entretien-{interview.id}")
    )


@bp.route("/participations/<int:participation_id>/offres", methods=["GET", "POST"])
@employer_required
def offers(participation_id: int):
    participation = _participation_or_404(participation_id)
    form = OffersForm(offers=participation.offers)
    if form.validate_on_submit():
        try:
            employers.set_offers(participation, form.offers())
        except DomainError as error:
            db.session.rollback()
            form.offer1_title.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Vos offres sont enregistrées."), "success")
            return redirect(url_for(".participation", participation_id=participation.id))
    return render_template(
        "interviews/portal/offers.html",
        participation=participation,
        event=participation.event,
        form=form,
    ), 422 if form.errors else 200
