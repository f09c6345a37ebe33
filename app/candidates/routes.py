"""Registration and "Mon inscription" (a token link, no password).

A GET on a link never changes anything (mail scanners open links); every action is a POST
with a CSRF token, behind a confirmation page.
"""

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from app.auth.permissions import public
from app.candidates import services
from app.candidates.documents import cv_download
from app.candidates.emails import event_calendar_file
from app.candidates.forms import (
    ConfirmForm,
    CVForm,
    MoveForm,
    PersonalDetailsForm,
    RegistrationForm,
)
from app.candidates.models import RegistrationStatus
from app.candidates.queries import get_registration_by_token, list_move_targets
from app.errors import DomainError
from app.events.models import today_in_paris
from app.events.queries import get_public_event_or_404
from app.extensions import csrf, db
from app.formatting import file_size
from app.notifications.qr import qr_svg

bp = Blueprint("candidates", __name__)


def _invalid_link():
    return render_template("candidates/invalid_link.html"), 404


@bp.route("/etapes/<int:event_id>/inscription", methods=["GET", "POST"])
@public
def register(event_id: int):
    event = get_public_event_or_404(event_id)
    if not event.registration_is_open(today_in_paris()):
        return render_template("candidates/closed.html", event=event, today_date=today_in_paris())
    form = RegistrationForm(event=event)
    if form.validate_on_submit():
        try:
            registration = services.register(event.id, form.details(locale=str(get_locale())))
        except DomainError as error:
            db.session.rollback()
            if error.code == "duplicate":
                services.resend_link(error.registration)
                db.session.commit()
                return render_template(
                    "candidates/duplicate.html", event=event, registration=error.registration
                )
            if error.field and error.field in form:
                form[error.field].errors.append(error.message)
            else:
                flash(error.message, "error")
        else:
            db.session.commit()
            return redirect(url_for("candidates.confirmation", token=registration.manage_token))
    status = 422 if form.errors else 200
    return render_template("candidates/register.html", event=event, form=form), status


@bp.get("/mon-inscription/<token>/confirmation")
@public
def confirmation(token: str):
    registration = get_registration_by_token(token)
    if registration is None:
        return _invalid_link()
    return render_template(
        "candidates/confirmation.html",
        registration=registration,
        position=services.waitlist_position(registration),
    )


@bp.get("/mon-inscription/<token>")
@public
def manage(token: str):
    registration = get_registration_by_token(token)
    if registration is None:
        return _invalid_link()
    return render_template(
        "candidates/manage.html",
        registration=registration,
        position=services.waitlist_position(registration),
        can_move=bool(list_move_targets(registration, today_in_paris())),
    )


@bp.get("/mon-inscription/<token>/billet")
@public
def ticket(token: str):
    registration = get_registration_by_token(token)
    if registration is None:
        return _invalid_link()
    return render_template("candidates/ticket.html", registration=registration)


@bp.get("/mon-inscription/<token>/qr.svg")
@public
def ticket_qr(token: str):
    registration = get_registration_by_token(token)
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return _invalid_link()
    response = Response(qr_svg(registration.ticket_code), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/mon-inscription/<token>/job-dating.ics")
@public
def calendar(token: str):
    registration = get_registration_by_token(token)
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return _invalid_link()
    return Response(
        event_calendar_file(registration),
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="job-dating.ics"'},
    )


@bp.route("/mon-inscription/<token>/annuler", methods=["GET", "POST"])
@public
def cancel(token: str):
    registration = get_registration_by_token(token)
    if registration is None:
        return _invalid_link()
    if registration.status == RegistrationStatus.CANCELLED:
        flash(_("Cette inscription est déjà annulée."), "warning")
        return redirect(url_for("candidates.manage", token=token))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.cancel(registration)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(
                _(
                    "Votre inscription est annulée. Merci de nous avoir prévenus : votre place va à une autre personne."
                ),
                "success",
            )
        return redirect(url_for("candidates.manage", token=token))
    return render_template("candidates/cancel.html", registration=registration, form=form)


@bp.route("/mon-inscription/<token>/changer-d-etape", methods=["GET", "POST"])
@public
def move(token: str):
    registration = get_registration_by_token(token)
    if registration is None:
        return _invalid_link()
    targets = list_move_targets(registration, today_in_paris())
    form = MoveForm(targets=targets)
    if form.is_submitted() and form.event_id.data == str(registration.event_id):
        # Sent twice (a double click): the first request already moved the person there.
        flash(_("Vous êtes déjà inscrit(e) à cette étape."), "warning")
        return redirect(url_for("candidates.manage", token=token))
    if registration.status != RegistrationStatus.CANCELLED and form.validate_on_submit():
        try:
            services.move(registration, int(form.event_id.data))
        except DomainError as error:
            db.session.rollback()
            if error.code == "same_event":  # the same, sent twice at the same moment
                flash(error.message, "warning")
                return redirect(url_for("candidates.manage", token=token))
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(
                _(
                    "C'est fait : vous êtes inscrit(e) à l'étape de %(town)s.",
                    town=registration.event.venue.town,
                ),
                "success",
            )
            return redirect(url_for("candidates.manage", token=token))
    status = 422 if form.errors else 200
    return render_template(
        "candidates/move.html", registration=registration, form=form, targets=targets
    ), status


@bp.get("/mon-inscription/<token>/mes-donnees")
@public
def personal_data(token: str):
    registration = get_registration_by_token(token)
    if registration is None:
        return _invalid_link()
    return render_template(
        "candidates/personal_data.html",
        registration=registration,
        data=services.candidate_data_export(registration.candidate),
        form=ConfirmForm(),
    )


@bp.get("/mon-inscription/<token>/mes-donnees.json")
@public
def personal_data_json(token: str):
    registration = get_registration_by_token(token)
    if registration is None:
        return _invalid_link()
    payload = json.dumps(
        services.candidate_data_export(registration.candidate), ensure_ascii=False, indent=2
    )
    return Response(
        payload,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="mes-donnees-job-dating.json"'},
    )


@bp.route("/mon-inscription/<token>/supprimer-mes-donnees", methods=["GET", "POST"])
@public
def erase(token: str):
    registration = get_registration_by_token(token)
    if registration is None:
        return _invalid_link()
    form = ConfirmForm()
    if form.validate_on_submit():
        services.erase_personal_data(registration.candidate)
        db.session.commit()
        return redirect(url_for("candidates.erased"))
    return render_template("candidates/erase.html", registration=registration, form=form)


@bp.route("/mon-inscription/<token>/corriger-mes-donnees", methods=["GET", "POST"])
@public
def correct(token: str):
    registration = get_registration_by_token(token)
    if registration is None:
        return _invalid_link()
    candidate = registration.candidate
    form = PersonalDetailsForm(obj=candidate)
    if form.validate_on_submit():
        try:
            services.correct_details(candidate, form.changes())
        except DomainError as error:
            db.session.rollback()
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Vos informations sont corrigées."), "success")
            return redirect(url_for("candidates.personal_data", token=token))
    status = 422 if form.errors else 200
    return render_template("candidates/correct.html", registration=registration, form=form), status


@bp.route("/mon-inscription/<token>/cv", methods=["GET", "POST"])
@public
@csrf.exempt  # The form checks its own CSRF token, after the larger size limit is set.
def cv(token: str):
    registration = get_registration_by_token(token)
    if registration is None:
        return _invalid_link()
    candidate = registration.candidate
    # This page alone takes files: a CV, and the form around it.
    request.max_content_length = current_app.config["CV_MAX_BYTES"] + 64 * 1024
    try:
        form = CVForm()
    except RequestEntityTooLarge:
        form = CVForm(formdata=None)
        form.cv.errors = [
            _(
                "Votre CV est trop lourd : %(limit)s au plus. Enregistrez-le en PDF, ou réduisez la taille des images.",
                limit=file_size(current_app.config["CV_MAX_BYTES"]),
            )
        ]
        # Nothing of the request may be read again: the forms are built empty.
        return render_template(
            "candidates/cv.html",
            registration=registration,
            form=form,
            remove_form=ConfirmForm(formdata=None),
        ), 413
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors:
        abort(400)  # As on every other page (the global CSRF check is skipped here).
    if valid:
        upload = form.cv.data
        try:
            services.upload_cv(candidate, upload.filename or "", upload.read())
        except DomainError as error:
            db.session.rollback()
            form.cv.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Votre CV est enregistré."), "success")
            return redirect(url_for("candidates.cv", token=token))
    status = 422 if form.errors else 200
    return render_template(
        "candidates/cv.html", registration=registration, form=form, remove_form=ConfirmForm()
    ), status


@bp.get("/mon-inscription/<token>/cv/fichier")
@public
def cv_file(token: str):
    registration = get_registration_by_token(token)
    if registration is None:
        return _invalid_link()
    if registration.candidate.cv is None:
        abort(404)
    return cv_download(registration.candidate.cv)


@bp.post("/mon-inscription/<token>/cv/retirer")
@public
def remove_cv(token: str):
    registration = get_registration_by_token(token)
    if registration is None:
        return _invalid_link()
    if ConfirmForm().validate_on_submit():
        services.remove_cv(registration.candidate)
        db.session.commit()
        flash(_("Votre CV est retiré : plus personne ne peut le voir."), "success")
    return redirect(url_for("candidates.cv", token=token))


@bp.get("/donnees-supprimees")
@public
def erased():
    return render_template("candidates/erased.html")


@bp.app_context_processor
def inject_labels():
    from app.candidates.choices import REFERRAL_LABELS, SOURCE_LABELS, STATUS_LABELS
    from app.events.rome import ROME_DOMAINS

    return {
        "status_label": lambda status: STATUS_LABELS.get(status, status),
        "source_label": lambda source: SOURCE_LABELS.get(source, source),
        "referral_label": lambda referral: REFERRAL_LABELS.get(referral, referral),
        "domain_labels": lambda codes: [str(ROME_DOMAINS[c]) for c in codes if c in ROME_DOMAINS],
    }
