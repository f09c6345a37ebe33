"""The candidate's interviews, from their "Mon inscription" link: ranking wishes, and
booking or cancelling a slot while the étape's self-booking is open.

Like the rest of "Mon inscription": the token is checked first (an invalid one gets the
"invalid link" page, 404), a GET never changes anything, and every action is a POST with
a CSRF token. The only URL variable is the token (the employer or the interview is a
query argument), so that these pages open from the link alone, like the others.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.auth.permissions import public
from app.candidates.models import Registration, RegistrationStatus
from app.candidates.queries import get_registration_by_token
from app.employers.models import Participation
from app.errors import DomainError
from app.extensions import db
from app.formatting import hour
from app.forms import id_argument
from app.interviews import queries
from app.interviews.forms import BookingForm, CancelInterviewForm, wishes_form
from app.interviews.models import Interview, InterviewSource, InterviewStatus, Slot
from app.interviews.services import booking, wishes

bp = Blueprint("interviews", __name__, url_prefix="/mon-inscription")


def _invalid_link():
    return render_template("candidates/invalid_link.html"), 404


def _back_to_manage(token: str):
    return redirect(url_for("candidates.manage", token=token))


@bp.route("/<token>/employeurs", methods=["GET", "POST"])
@public
def choose_employers(token: str):
    registration = get_registration_by_token(token)
    if registration is None:
        return _invalid_link()
    employers = queries.list_employers_at(registration.event)
    form = wishes_form(registration, employers, wishes.list_wishes(registration), request.form)
    if registration.status != RegistrationStatus.CANCELLED and form.validate_on_submit():
        choices = form.wish_choices()
        try:
            wishes.set_wishes(registration, [choice for _, choice in choices])
            wishes.set_profile_sharing(registration, form.shares_profile.data)
        except DomainError as error:
            db.session.rollback()
            form.show_error(error, choices)
        else:
            db.session.commit()
            flash(_("Vos choix sont enregistrés."), "success")
            return _back_to_manage(token)
    status = 422 if form.errors else 200
    return render_template(
        "interviews/candidate/employers.html",
        registration=registration,
        employers=employers,
        form=form,
    ), status


def _one_per_time(slots: list[Slot]) -> list[Slot]:
    """One button per start time: the candidate chooses an hour, not a table."""
    seen, kept = set(), []
    for slot in slots:
        if slot.starts_at not in seen:
            seen.add(slot.starts_at)
            kept.append(slot)
    return kept


def _booking_page(
    registration: Registration,
    participation: Participation | None,
    *,
    error: DomainError | None = None,
    status: int = 200,
):
    """The booking page: the étape's employers, or one employer's free hours; after a
    refused booking, why (and, when the slot was just taken, the next free hours)."""
    event = registration.event
    mine = queries.list_interviews_of(registration)
    met = {interview.slot.participation_id: interview for interview in mine}
    slots, declined = [], False
    if participation is not None:
        declined = booking.is_declined(participation.id, registration.id)
        if error is not None and error.code == "slot_taken":
            slots = error.alternatives
        elif not declined and participation.id not in met:
            slots = booking.free_slots(participation, registration.id)
    employers = queries.list_employers_at(event) if participation is None else []
    return render_template(
        "interviews/candidate/book.html",
        registration=registration,
        can_book=registration.status == RegistrationStatus.CONFIRMED and event.self_booking_open,
        employers=employers,
        participation=participation,
        met=met,
        declined=declined,
        slots=_one_per_time(slots),
        error=error,
        form=BookingForm(formdata=None),
    ), status


@bp.route("/<token>/entretiens", methods=["GET", "POST"])
@public
def book(token: str):
    registration = get_registration_by_token(token)
    if registration is None:
        return _invalid_link()
    participation = None
    participation_id = id_argument("employeur")
    if participation_id is not None:
        participation = queries.get_employer_at(registration.event, participation_id)
        if participation is None:
            abort(404)
    form = BookingForm()
    if not form.is_submitted():
        return _booking_page(registration, participation)
    if not form.validate():
        error = DomainError(_("Choisissez un horaire dans la liste."), "slot_not_found")
        return _booking_page(registration, participation, error=error, status=422)
    try:
        interview = booking.book(registration.id, form.slot_id.data, source=InterviewSource.SELF)
    except DomainError as error:
        db.session.rollback()
        status = 409 if error.code == "slot_taken" else 422
        return _booking_page(registration, participation, error=error, status=status)
    db.session.commit()
    flash(
        _(
            "C'est réservé : entretien avec %(employer)s à %(time)s, table %(table)s.",
            employer=interview.slot.participation.establishment.display_name,
            time=hour(interview.starts_at),
            table=interview.slot.table_label,
        ),
        "success",
    )
    return _back_to_manage(token)


def _interview_or_404(registration: Registration, interview_id: int) -> Interview:
    interview = queries.get_interview_of(registration, interview_id)
    if interview is None:
        abort(404)
    return interview


@bp.route("/<token>/entretiens/annuler", methods=["GET", "POST"])
@public
def cancel_interview(token: str):
    registration = get_registration_by_token(token)
    if registration is None:
        return _invalid_link()
    if registration.status == RegistrationStatus.CANCELLED:
        # Cancelling the registration cancelled its interviews.
        flash(_("Cette inscription est annulée : vous n'avez plus d'entretien."), "warning")
        return _back_to_manage(token)
    interview_id = id_argument("entretien")
    if interview_id is None:
        if request.method == "POST":
            abort(404)
        # Which one? The page lists the interviews that can be cancelled.
        return render_template(
            "interviews/candidate/cancel_choose.html",
            registration=registration,
            interviews=[
                interview
                for interview in queries.list_interviews_of(registration)
                if interview.status == InterviewStatus.SCHEDULED
            ],
        )
    interview = _interview_or_404(registration, interview_id)
    if interview.status != InterviewStatus.SCHEDULED:
        flash(_("Cet entretien n'est plus prévu."), "warning")
        return _back_to_manage(token)
    form = CancelInterviewForm()
    if form.validate_on_submit():
        employer = interview.slot.participation.establishment.display_name
        try:
            booking.cancel(interview)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(
                _(
                    "Votre entretien avec %(employer)s est annulé. Merci : l'horaire est proposé à une autre personne.",
                    employer=employer,
                ),
                "success",
            )
        return _back_to_manage(token)
    return render_template(
        "interviews/candidate/cancel.html",
        registration=registration,
        interview=interview,
        form=form,
    )


@bp.app_context_processor
def inject_candidate_interviews():
    """Reads for the pages of lower domains, which may not import this one: the public
    étape page (`employers_at`) and "Mon inscription" and its ticket (`interviews_of`,
    `wishes_of`). Templates test `is defined` before calling them."""
    return {
        "employers_at": queries.list_employers_at,
        "interviews_of": queries.list_interviews_of,
        "wishes_of": wishes.list_wishes,
    }
