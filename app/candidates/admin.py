"""Back-office: registrations (search, filters, export), one person's registration, and
registering, cancelling or moving someone on their behalf."""

import re
import unicodedata

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from app.auth.models import User
from app.auth.permissions import staff_required
from app.candidates import services
from app.candidates.choices import REFERRAL_LABELS, SOURCE_LABELS, STATUS_LABELS
from app.candidates.forms import (
    ConfirmForm,
    PhoneRegistrationForm,
    RegistrationFilterForm,
    StaffMoveForm,
)
from app.candidates.models import Registration, RegistrationSource, RegistrationStatus
from app.candidates.queries import (
    REGISTRATIONS_PER_PAGE,
    list_events_for_filter,
    list_events_open_to_staff,
    list_staff_move_targets,
    load_registration_or_404,
    search_registrations,
    waitlist_positions,
)
from app.errors import DomainError
from app.events.models import Event, today_in_paris
from app.events.rome import ROME_DOMAINS
from app.extensions import db
from app.formatting import phone as format_phone
from app.forms import MAX_ID
from app.spreadsheets import write_xlsx

bp = Blueprint("candidates_admin", __name__, url_prefix="/admin/inscriptions")

#: A page number beyond any list (a forged ?page= never reaches the database as a huge offset).
MAX_PAGE = 10_000
#: The largest id a database integer column holds: a longer one in a URL is not found.


def _registration_or_404(registration_id: int) -> Registration:
    if registration_id > MAX_ID:
        abort(404)
    return load_registration_or_404(registration_id)


def _filter_form() -> RegistrationFilterForm:
    form = RegistrationFilterForm(formdata=request.args, events=list_events_for_filter())
    if request.args:
        form.validate()
    return form


def _show_error(form, error: DomainError, default_field: str) -> None:
    """Put a service's refusal next to the field it is about (the form's main one when it
    names none), so that the error summary lists it."""
    field = error.field if error.field and error.field in form else default_field
    form[field].errors.append(error.message)


@bp.get("/")
@staff_required
def registrations():
    form = _filter_form()
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(
        search_registrations(**form.criteria()),
        page=min(max(page, 1), MAX_PAGE),
        per_page=REGISTRATIONS_PER_PAGE,
        error_out=False,
    )
    positions = waitlist_positions(r.event_id for r in pagination.items)
    return render_template(
        "admin/registrations.html",
        form=form,
        pagination=pagination,
        positions=positions,
        query_args=form.query_args(),
    ), 422 if form.errors else 200


def _slug(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _export_filename(event: Event | None) -> str:
    today = today_in_paris().isoformat()
    if event is None:
        return f"inscriptions-toutes-etapes-{today}.xlsx"
    return f"inscriptions-{_slug(event.venue.town)}-{event.date.isoformat()}-export-{today}.xlsx"


def _export_table(rows: list[Registration]) -> tuple[list[str], list[list]]:
    """The registration list as (headers, rows) for the spreadsheet writer."""
    headers = [
        _("Nom"),
        _("Prénom"),
        _("E-mail"),
        _("Téléphone"),
        _("Année de naissance"),
        _("Code postal"),
        _("Étape"),
        _("Date de l'étape"),
        _("Statut"),
        _("Position en liste d'attente"),
        _("Billet"),
        _("Origine"),
        _("Inscrit(e) par"),
        _("Comment a connu le Job Dating"),
        _("Domaines recherchés"),
        _("Atelier de préparation souhaité"),
        _("Inscription le"),
        _("Annulation le"),
    ]
    positions = waitlist_positions(r.event_id for r in rows)
    staff_ids = {r.created_by_id for r in rows if r.created_by_id}
    staff = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(staff_ids))).all())
        if staff_ids
        else {}
    )
    table = []
    for registration in rows:
        candidate = registration.candidate
        table.append(
            [
                candidate.last_name,
                candidate.first_name,
                candidate.email,
                format_phone(candidate.phone),
                candidate.birth_year,
                candidate.postcode,
                registration.event.venue.town,
                registration.event.date,
                str(STATUS_LABELS[registration.status]),
                positions.get(registration.id),
                registration.display_code,
                str(SOURCE_LABELS[registration.source]),
                staff.get(registration.created_by_id, ""),
                str(REFERRAL_LABELS[registration.referral]),
                ", ".join(str(ROME_DOMAINS[c]) for c in candidate.domains if c in ROME_DOMAINS),
                _("Oui") if candidate.wants_workshop else _("Non"),
                registration.created_at,
                registration.cancelled_at,
            ]
        )
    return headers, table


@bp.get("/export.xlsx")
@staff_required
def export():
    form = _filter_form()
    criteria = form.criteria()
    rows = list(db.session.scalars(search_registrations(**criteria)))
    headers, table = _export_table(rows)
    event = db.session.get(Event, criteria["event_id"]) if criteria["event_id"] else None
    content = write_xlsx(headers, table, sheet_title=_("Inscriptions"))
    return Response(
        content,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="{_export_filename(event)}"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/nouvelle", methods=["GET", "POST"])
@staff_required
def new():
    events = list_events_open_to_staff(today_in_paris())
    form = PhoneRegistrationForm(events=events)
    if request.method == "GET" and request.args.get("etape", "").isdigit():
        form.event_id.data = request.args["etape"]
    if form.validate_on_submit():
        try:
            registration = services.register(
                int(form.event_id.data),
                form.details(locale="fr"),
                source=RegistrationSource.PHONE,
                created_by_id=current_user.id,
            )
        except DomainError as error:
            db.session.rollback()
            if error.code == "duplicate":
                flash(
                    _(
                        "Cette personne est déjà inscrite à cette étape : voici son inscription. Rien n'a été ajouté."
                    ),
                    "warning",
                )
                return redirect(
                    url_for("candidates_admin.registration", registration_id=error.registration.id)
                )
            _show_error(form, error, default_field="event_id")
        else:
            db.session.commit()
            if registration.status == RegistrationStatus.CONFIRMED:
                message = _(
                    "%(name)s est inscrit(e) : billet %(code)s.",
                    name=registration.candidate.full_name,
                    code=registration.display_code,
                )
            else:
                message = _(
                    "L'étape est complète : %(name)s est sur la liste d'attente (billet %(code)s).",
                    name=registration.candidate.full_name,
                    code=registration.display_code,
                )
            flash(message, "success")
            return redirect(
                url_for("candidates_admin.registration", registration_id=registration.id)
            )
    status = 422 if form.errors else 200
    return render_template("admin/registration_new.html", form=form, events=events), status


@bp.get("/<int:registration_id>")
@staff_required
def registration(registration_id: int):
    registration = _registration_or_404(registration_id)
    created_by = (
        db.session.get(User, registration.created_by_id) if registration.created_by_id else None
    )
    return render_template(
        "admin/registration.html",
        registration=registration,
        position=services.waitlist_position(registration),
        created_by=created_by,
        can_move=bool(list_staff_move_targets(registration, today_in_paris())),
        is_the_day=registration.event.date == today_in_paris(),
        form=ConfirmForm(),
    )


def _active_registration_or_redirect(registration_id: int):
    """The registration, or a redirect to it when it is cancelled or its data erased."""
    registration = _registration_or_404(registration_id)
    if registration.candidate.anonymised_at is not None:
        flash(_("Les données de cette personne ont été effacées."), "warning")
    elif registration.status == RegistrationStatus.CANCELLED:
        flash(_("Cette inscription est déjà annulée."), "warning")
    else:
        return registration, None
    return registration, redirect(
        url_for("candidates_admin.registration", registration_id=registration.id)
    )


@bp.route("/<int:registration_id>/annuler", methods=["GET", "POST"])
@staff_required
def cancel(registration_id: int):
    registration, refused = _active_registration_or_redirect(registration_id)
    if refused:
        return refused
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            promoted = services.cancel(registration)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(
                _("L'inscription de %(name)s est annulée.", name=registration.candidate.full_name),
                "success",
            )
            if promoted:
                flash(
                    ngettext(
                        "%(num)s personne de la liste d'attente est confirmée : %(names)s.",
                        "%(num)s personnes de la liste d'attente sont confirmées : %(names)s.",
                        len(promoted),
                        names=", ".join(r.candidate.full_name for r in promoted),
                    ),
                    "success",
                )
        return redirect(url_for("candidates_admin.registration", registration_id=registration.id))
    return render_template("admin/registration_cancel.html", registration=registration, form=form)


@bp.route("/<int:registration_id>/changer-d-etape", methods=["GET", "POST"])
@staff_required
def move(registration_id: int):
    registration, refused = _active_registration_or_redirect(registration_id)
    if refused:
        return refused
    targets = list_staff_move_targets(registration, today_in_paris())
    form = StaffMoveForm(targets=targets)
    if form.validate_on_submit():
        old_town = registration.event.venue.town
        try:
            services.move(registration, int(form.event_id.data), staff=True)
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error, default_field="event_id")
        else:
            db.session.commit()
            if registration.status == RegistrationStatus.CONFIRMED:
                message = _(
                    "%(name)s passe de %(old)s à %(new)s : inscription confirmée, même billet.",
                    name=registration.candidate.full_name,
                    old=old_town,
                    new=registration.event.venue.town,
                )
            else:
                message = _(
                    "%(name)s passe de %(old)s à %(new)s, sur la liste d'attente (l'étape est complète).",
                    name=registration.candidate.full_name,
                    old=old_town,
                    new=registration.event.venue.town,
                )
            flash(message, "success")
            return redirect(
                url_for("candidates_admin.registration", registration_id=registration.id)
            )
    status = 422 if form.errors else 200
    return render_template(
        "admin/registration_move.html", registration=registration, form=form, targets=targets
    ), status


@bp.post("/<int:registration_id>/renvoyer-le-lien")
@staff_required
def resend_link(registration_id: int):
    registration = _registration_or_404(registration_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not registration.candidate.email:
        flash(
            _("Cette personne n'a pas d'adresse e-mail : imprimez son billet pour le lui envoyer."),
            "warning",
        )
    else:
        services.resend_link(registration)
        db.session.commit()
        flash(
            _(
                "Le lien de son inscription part par e-mail à %(email)s (un envoi par heure au plus).",
                email=registration.candidate.email,
            ),
            "success",
        )
    return redirect(url_for("candidates_admin.registration", registration_id=registration.id))
