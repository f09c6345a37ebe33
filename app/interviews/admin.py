"""Back-office tools per étape: employers and their requests, tables and load; the grid of
every table and slot; booking, moving or cancelling an interview for someone."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from app.auth.models import User
from app.auth.permissions import staff_required
from app.candidates.forms import ConfirmForm
from app.candidates.models import Registration
from app.db import writes_on_get
from app.employers import services as employers
from app.employers.forms import ParticipationForm
from app.employers.models import Participation, ParticipationStatus
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.formatting import hour
from app.forms import id_argument
from app.interviews import queries
from app.interviews.forms_admin import (
    BookForm,
    HoursForm,
    InterviewSettingsForm,
    RefuseForm,
    RegistrationSearchForm,
    ScheduleAdjustForm,
    SlotChoiceForm,
)
from app.interviews.models import (
    InterviewSource,
    InterviewStatus,
    ScheduleRun,
    ScheduleRunStatus,
    Slot,
)
from app.interviews.services import booking, scheduling, slots

bp = Blueprint("interviews_admin", __name__, url_prefix="/admin/etapes")

PARTICIPATION_STATUS_LABELS = {
    ParticipationStatus.REQUESTED: _l("Demande à traiter"),
    ParticipationStatus.ACCEPTED: _l("Acceptée"),
    ParticipationStatus.REFUSED: _l("Refusée"),
    ParticipationStatus.WITHDRAWN: _l("Retirée"),
}
INTERVIEW_STATUS_LABELS = {
    InterviewStatus.SCHEDULED: _l("prévu"),
    InterviewStatus.HELD: _l("entretien tenu"),
    InterviewStatus.NO_SHOW: _l("absent(e)"),
    InterviewStatus.CANCELLED: _l("annulé"),
}


def _staff() -> User:
    """The signed-in user itself (not the proxy), for services that keep it."""
    return current_user._get_current_object()


def _show_error(form, error: DomainError, default_field: str | None = None) -> None:
    """Put a service's refusal next to the field it is about, else in a flash message."""
    name = error.field if error.field and error.field in form else default_field
    if name:
        form[name].errors.append(error.message)
    else:
        flash(error.message, "error")


def _status(form) -> int:
    return 422 if form.errors else 200


def _slot_label(slot: Slot, *, with_employer: bool = False) -> str:
    label = _(
        "%(start)s – %(end)s, table %(table)s",
        start=hour(slot.starts_at),
        end=hour(slot.ends_at),
        table=slot.table_label,
    )
    if with_employer:
        return f"{slot.participation.establishment.display_name} — {label}"
    return label


def _slot_choices(groups: list[tuple[Participation, list[Slot]]]) -> dict:
    """Choices of a slot <select>, one group (optgroup) per employer; each option names
    the employer too, since a closed <select> shows only the chosen option."""
    return {
        participation.establishment.display_name: [
            (slot.id, _slot_label(slot, with_employer=True)) for slot in group
        ]
        for participation, group in groups
    }


# Employers


@bp.get("/<int:event_id>/employeurs")
@staff_required
def employers_list(event_id: int):
    event = queries.load_event_or_404(event_id)
    return render_template(
        "interviews/admin/employers.html",
        event=event,
        loads=queries.list_participation_loads(event.id),
        stranded=slots.list_stranded(event.id),
        status_labels=PARTICIPATION_STATUS_LABELS,
        confirm_form=ConfirmForm(),
        refuse_form=RefuseForm(),
    )


@bp.post("/<int:event_id>/employeurs/<int:participation_id>/accepter")
@staff_required
def accept(event_id: int, participation_id: int):
    event = queries.load_event_or_404(event_id)
    participation = queries.load_participation_or_404(event, participation_id)
    if ConfirmForm().validate_on_submit():
        name = participation.establishment.display_name
        try:
            participation = slots.accept(participation, _staff())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(
                ngettext(
                    "%(name)s participe à l'étape : table %(first)s, créneaux créés. Un e-mail part à %(email)s.",
                    "%(name)s participe à l'étape : tables %(first)s à %(last)s, créneaux créés. Un e-mail part à %(email)s.",
                    participation.tables,
                    name=name,
                    first=participation.first_table,
                    last=participation.table_label(participation.tables),
                    email=participation.contact_email,
                ),
                "success",
            )
    else:
        flash(_("La page a expiré. Rechargez-la puis recommencez."), "error")
    return redirect(url_for(".employers_list", event_id=event.id))


@bp.route("/<int:event_id>/employeurs/<int:participation_id>/refuser", methods=["GET", "POST"])
@staff_required
def refuse(event_id: int, participation_id: int):
    event = queries.load_event_or_404(event_id)
    participation = queries.load_participation_or_404(event, participation_id)
    form = RefuseForm()
    if form.validate_on_submit():
        name = participation.establishment.display_name
        try:
            employers.refuse_participation(participation, _staff(), form.reason.data)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(
                _(
                    "La demande de %(name)s est refusée. Un e-mail avec le motif part à %(email)s.",
                    name=name,
                    email=participation.contact_email,
                ),
                "success",
            )
        return redirect(url_for(".employers_list", event_id=event.id))
    return render_template(
        "interviews/admin/refuse.html", event=event, participation=participation, form=form
    ), _status(form)


@bp.route("/<int:event_id>/employeurs/<int:participation_id>/horaires", methods=["GET", "POST"])
@staff_required
def hours(event_id: int, participation_id: int):
    event = queries.load_event_or_404(event_id)
    participation = queries.load_participation_or_404(event, participation_id)
    form = HoursForm(obj=participation)
    if form.validate_on_submit():
        try:
            stranded = slots.change_hours(
                participation,
                tables=form.tables.data,
                starts_at=form.starts_at.data,
                ends_at=form.ends_at.data,
            )
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "Tables et horaires de %(name)s enregistrés.",
                    name=participation.establishment.display_name,
                ),
                "success",
            )
            if stranded:
                flash(
                    ngettext(
                        "%(num)s entretien réservé n'entre plus dans ces horaires : déplacez-le ou annulez-le (liste ci-dessous).",
                        "%(num)s entretiens réservés n'entrent plus dans ces horaires : déplacez-les ou annulez-les (liste ci-dessous).",
                        len(stranded),
                    ),
                    "warning",
                )
                return redirect(
                    url_for(".employers_list", event_id=event.id, _anchor="hors-horaires")
                )
            return redirect(url_for(".employers_list", event_id=event.id))
    return render_template(
        "interviews/admin/hours.html", event=event, participation=participation, form=form
    ), _status(form)


# Grid


@bp.get("/<int:event_id>/grille")
@staff_required
def grid(event_id: int):
    event = queries.load_event_or_404(event_id)
    return render_template(
        "interviews/admin/grid.html",
        event=event,
        grid=queries.get_grid(event.id),
        interview_status_labels=INTERVIEW_STATUS_LABELS,
    )


# Booking, moving and cancelling for someone


def _alternatives(error: DomainError) -> list[tuple[int, str]]:
    """(slot id, label) of the free slots a slot_taken error offers instead."""
    return [
        (slot.id, _slot_label(slot, with_employer=True))
        for slot in getattr(error, "alternatives", [])
    ]


@bp.route("/<int:event_id>/reserver", methods=["GET", "POST"])
@staff_required
def book(event_id: int):
    event = queries.load_event_or_404(event_id)
    search = RegistrationSearchForm(formdata=request.args)
    wanted_slot = (
        queries.load_slot_or_404(event, id_argument("creneau"))
        if request.args.get("creneau")
        else None
    )
    form = BookForm()
    registration = None
    if request.method == "POST":
        if form.registration_id.data is not None:
            registration = queries.load_registration_of_event_or_404(
                event, form.registration_id.data
            )
    elif request.args.get("inscription"):
        registration = queries.load_registration_of_event_or_404(event, id_argument("inscription"))
        form.registration_id.data = registration.id
        if wanted_slot is not None:
            form.slot_id.data = wanted_slot.id
    alternatives, slot_taken = [], False
    if form.validate_on_submit():
        slot = queries.load_slot_or_404(event, form.slot_id.data)
        try:
            interview = booking.book(
                registration.id, slot.id, source=InterviewSource.STAFF, by=_staff()
            )
        except DomainError as error:
            alternatives = _alternatives(error)
            db.session.rollback()
            if error.code == "slot_taken":
                slot_taken = True
                form.slot_id.errors.append(_("Ce créneau vient d'être pris."))
            else:
                _show_error(form, error, default_field="slot_id")
        else:
            db.session.commit()
            flash(
                _(
                    "Entretien réservé pour %(name)s : %(slot)s.",
                    name=interview.registration.candidate.full_name,
                    slot=_slot_label(interview.slot, with_employer=True),
                ),
                "success",
            )
            return redirect(url_for(".grid", event_id=event.id))
    results = None
    if registration is None and search.q.data and search.validate():
        results = queries.search_confirmed_registrations(event.id, search.q.data)
    if registration is not None:
        form.slot_id.choices = _slot_choices(queries.list_bookable_slots(event, registration.id))
    return render_template(
        "interviews/admin/book.html",
        event=event,
        search=search,
        results=results,
        registration=registration,
        wanted_slot=wanted_slot,
        form=form,
        alternatives=alternatives,
        slot_taken=slot_taken,
    ), 422 if (form.errors or search.errors) else 200


def _scheduled_interview_or_redirect(event: Event, interview_id: int):
    interview = queries.load_interview_or_404(event, interview_id)
    if interview.status != InterviewStatus.SCHEDULED:
        flash(_("Cet entretien n'est plus prévu."), "warning")
        return interview, redirect(url_for(".grid", event_id=event.id))
    return interview, None


def _back_url(event: Event) -> str:
    """Back to the employers page (where stranded interviews are listed) or the grid."""
    if request.args.get("depuis") == "employeurs":
        return url_for(".employers_list", event_id=event.id)
    return url_for(".grid", event_id=event.id)


@bp.route("/<int:event_id>/entretiens/<int:interview_id>/deplacer", methods=["GET", "POST"])
@staff_required
def move(event_id: int, interview_id: int):
    event = queries.load_event_or_404(event_id)
    interview, refused = _scheduled_interview_or_redirect(event, interview_id)
    if refused:
        return refused
    form = SlotChoiceForm()
    alternatives, slot_taken = [], False
    if form.validate_on_submit():
        slot = queries.load_slot_or_404(event, form.slot_id.data)
        name = interview.registration.candidate.full_name
        try:
            moved = booking.move(interview, slot.id, by=_staff())
        except DomainError as error:
            alternatives = _alternatives(error)
            db.session.rollback()
            if error.code == "slot_taken":
                slot_taken = True
                form.slot_id.errors.append(_("Ce créneau vient d'être pris."))
            else:
                _show_error(form, error, default_field="slot_id")
        else:
            db.session.commit()
            flash(
                _(
                    "L'entretien de %(name)s est déplacé : %(slot)s.",
                    name=name,
                    slot=_slot_label(moved.slot, with_employer=True),
                ),
                "success",
            )
            return redirect(_back_url(event))
    form.slot_id.choices = _slot_choices(
        queries.list_bookable_slots(event, interview.registration_id, instead_of=interview)
    )
    return render_template(
        "interviews/admin/move.html",
        event=event,
        interview=interview,
        form=form,
        alternatives=alternatives,
        slot_taken=slot_taken,
        back_url=_back_url(event),
        current_slot=_slot_label(interview.slot, with_employer=True),
    ), _status(form)


@bp.route("/<int:event_id>/entretiens/<int:interview_id>/annuler", methods=["GET", "POST"])
@staff_required
def cancel(event_id: int, interview_id: int):
    event = queries.load_event_or_404(event_id)
    interview, refused = _scheduled_interview_or_redirect(event, interview_id)
    if refused:
        return refused
    form = ConfirmForm()
    if form.validate_on_submit():
        name = interview.registration.candidate.full_name
        try:
            booking.cancel(interview, by=_staff())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("L'entretien de %(name)s est annulé.", name=name), "success")
        return redirect(_back_url(event))
    return render_template(
        "interviews/admin/cancel.html",
        event=event,
        interview=interview,
        form=form,
        back_url=_back_url(event),
        slot_label=_slot_label(interview.slot, with_employer=True),
    )


@bp.route("/<int:event_id>/reglages", methods=["GET", "POST"])
@staff_required
def settings(event_id: int):
    event = queries.load_event_or_404(event_id)
    form = InterviewSettingsForm(obj=event)
    if form.validate_on_submit():
        try:
            stranded = slots.change_event_settings(
                event,
                interview_minutes=form.interview_minutes.data,
                changeover_minutes=form.changeover_minutes.data,
                max_wishes=form.max_wishes.data,
                max_interviews=form.max_interviews.data,
                self_booking_open=form.self_booking_open.data,
            )
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Les réglages des entretiens sont enregistrés."), "success")
            if stranded:
                flash(
                    ngettext(
                        "%(num)d entretien ne tient plus dans les nouveaux créneaux : déplacez-le ou annulez-le.",
                        "%(num)d entretiens ne tiennent plus dans les nouveaux créneaux : déplacez-les ou annulez-les.",
                        len(stranded),
                    ),
                    "error",
                )
            return redirect(url_for(".employers_list", event_id=event.id, _anchor="hors-horaires"))
    return render_template("interviews/admin/settings.html", event=event, form=form), _status(form)


@bp.route("/<int:event_id>/employeurs/nouveau", methods=["GET", "POST"])
@staff_required
def invite(event_id: int):
    """Staff add an employer themselves: accepted at once, its contact invited by email."""
    event = queries.load_event_or_404(event_id)
    form = ParticipationForm(events=[event])
    if request.method == "GET":
        form.events.data = [event.id]
        form.starts_at.data, form.ends_at.data = event.starts_at, event.ends_at
    if form.validate_on_submit():
        try:
            establishment = employers.save_establishment(form.establishment())
            (participation,) = employers.request_participation(
                [event.id], establishment, form.details(), notify=False
            )
            slots.accept(participation, _staff())
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error, default_field="siret")
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s participe à l'étape ; une invitation à son espace employeur part à %(email)s.",
                    name=establishment.display_name,
                    email=participation.contact_email,
                ),
                "success",
            )
            return redirect(url_for(".employers_list", event_id=event.id))
    return render_template("interviews/admin/invite.html", event=event, form=form), _status(form)


# --- Automatic scheduling ---------------------------------------------------------------


@bp.get("/<int:event_id>/planning")
@writes_on_get  # a computation left running by a process that died is marked failed
@staff_required
def schedule(event_id: int):
    event = queries.load_event_or_404(event_id)
    run = scheduling.latest_run(event)
    db.session.commit()
    preview = None
    if run is not None and run.solution is not None:
        preview = queries.get_schedule_preview(event, run.solution)
    return render_template(
        "interviews/admin/schedule.html",
        event=event,
        run=run,
        preview=preview,
        form=ConfirmForm(),
        adjust_form=ScheduleAdjustForm(formdata=None),
        pinned={(pin[0], pin[1]) for pin in run.pins} if run else set(),
        removed=[
            (db.session.get(Registration, r), db.session.get(Participation, p))
            for r, p in (run.removals if run else [])
        ],
        running=run is not None and run.status == ScheduleRunStatus.RUNNING,
    )


@bp.post("/<int:event_id>/planning/calculer")
@staff_required
def schedule_start(event_id: int):
    event = queries.load_event_or_404(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        run = scheduling.start_run(event, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        scheduling.run_in_background(current_app._get_current_object(), run.id)
    return redirect(url_for(".schedule", event_id=event.id))


def _run_or_404(event: Event, run_id: int) -> ScheduleRun:
    run = db.session.get(ScheduleRun, run_id)
    if run is None or run.event_id != event.id:
        abort(404)
    return run


@bp.get("/<int:event_id>/planning/<int:run_id>/etat")
@staff_required
def schedule_status(event_id: int, run_id: int):
    """How the run is going, for the progress page's script."""
    event = queries.load_event_or_404(event_id)
    run = _run_or_404(event, run_id)
    return jsonify(
        {"status": run.status.value, "progress": run.progress, "message": run.progress_message}
    )


@bp.post("/<int:event_id>/planning/<int:run_id>/ajuster")
@staff_required
def schedule_adjust(event_id: int, run_id: int):
    """Keep or remove one proposed interview before running again."""
    event = queries.load_event_or_404(event_id)
    run = _run_or_404(event, run_id)
    form = ScheduleAdjustForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        scheduling.adjust(
            run, form.action.data, form.registration_id.data, form.participation_id.data
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _("C'est noté. Recalculez le planning pour en tenir compte."),
            "success",
        )
    return redirect(url_for(".schedule", event_id=event.id, _anchor="journees-candidats"))


@bp.post("/<int:event_id>/planning/<int:run_id>/publier")
@staff_required
def schedule_publish(event_id: int, run_id: int):
    event = queries.load_event_or_404(event_id)
    run = _run_or_404(event, run_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        booked = scheduling.publish_run(run, by=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            ngettext(
                "Planning publié : %(num)d entretien réservé. Les personnes dont la journée change sont prévenues.",
                "Planning publié : %(num)d entretiens réservés. Les personnes dont la journée change sont prévenues.",
                len(booked),
            ),
            "success",
        )
    return redirect(url_for(".schedule", event_id=event.id))
