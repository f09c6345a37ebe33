"""Back-office: étapes overview, and setting up the tour, venues and étapes (admins)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from app.auth.permissions import admin_required, staff_required
from app.candidates import services as candidate_services
from app.candidates.queries import count_by_status
from app.errors import DomainError
from app.events import services
from app.events.forms import EVENT_STATUS_LABELS, EventForm, TourForm, VenueForm, event_form
from app.events.models import Event, Tour, Venue, today_in_paris
from app.extensions import db
from app.forms import MAX_ID, id_argument

bp = Blueprint("events_admin", __name__, url_prefix="/admin")


@bp.app_context_processor
def inject_event_labels():
    return {"event_status_label": lambda status: EVENT_STATUS_LABELS.get(status, status)}


#: The largest id a database integer column holds: a longer one in a URL is not found.


def _get_or_404(model, record_id: int):
    if record_id > MAX_ID:
        abort(404)
    return db.get_or_404(model, record_id)


def _show_error(form, error: DomainError) -> None:
    """Put a service's refusal next to the field it is about, else in a flash message."""
    if error.field and error.field in form:
        form[error.field].errors.append(error.message)
    else:
        flash(error.message, "error")


def _form_status(form) -> int:
    return 422 if form.errors else 200


def _list_tours() -> list[Tour]:
    return list(db.session.scalars(select(Tour).order_by(Tour.year.desc(), Tour.id.desc())))


def _list_venues() -> list[Venue]:
    return list(db.session.scalars(select(Venue).order_by(Venue.town, Venue.name)))


@bp.get("/")
@staff_required
def dashboard():
    tours = _list_tours()
    events = [event for tour in tours for event in tour.events]
    counts = count_by_status([event.id for event in events])
    return render_template(
        "admin/dashboard.html", tours=tours, counts=counts, today=today_in_paris()
    )


# Tours


@bp.route("/tournees/nouvelle", methods=["GET", "POST"])
@admin_required
def new_tour():
    form = TourForm()
    if form.validate_on_submit():
        try:
            tour = services.create_tour(form.details())
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(
                _("La tournée « %(name)s » est créée. Ajoutez-lui ses étapes.", name=tour.name),
                "success",
            )
            return redirect(url_for("events_admin.dashboard") + f"#tournee-{tour.id}")
    return render_template("admin/tour_form.html", form=form, tour=None), _form_status(form)


@bp.route("/tournees/<int:tour_id>/modifier", methods=["GET", "POST"])
@admin_required
def edit_tour(tour_id: int):
    tour = _get_or_404(Tour, tour_id)
    form = TourForm(obj=tour)
    if form.validate_on_submit():
        try:
            services.update_tour(tour, form.details())
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("La tournée « %(name)s » est enregistrée.", name=tour.name), "success")
            return redirect(url_for("events_admin.dashboard") + f"#tournee-{tour.id}")
    return render_template("admin/tour_form.html", form=form, tour=tour), _form_status(form)


# Venues


@bp.get("/lieux/")
@staff_required
def venues():
    venues = _list_venues()
    counts = dict(
        db.session.execute(
            select(Event.venue_id, func.count(Event.id)).group_by(Event.venue_id)
        ).all()
    )
    return render_template("admin/venues.html", venues=venues, counts=counts)


@bp.route("/lieux/nouveau", methods=["GET", "POST"])
@admin_required
def new_venue():
    form = VenueForm()
    if form.validate_on_submit():
        venue = services.create_venue(form.details())
        db.session.commit()
        flash(_("Le lieu « %(name)s » est enregistré.", name=venue.name), "success")
        return redirect(url_for("events_admin.venues"))
    return render_template("admin/venue_form.html", form=form, venue=None), _form_status(form)


@bp.route("/lieux/<int:venue_id>/modifier", methods=["GET", "POST"])
@admin_required
def edit_venue(venue_id: int):
    venue = _get_or_404(Venue, venue_id)
    form = VenueForm(obj=venue)
    if form.validate_on_submit():
        services.update_venue(venue, form.details())
        db.session.commit()
        flash(_("Le lieu « %(name)s » est enregistré.", name=venue.name), "success")
        return redirect(url_for("events_admin.venues"))
    return render_template("admin/venue_form.html", form=form, venue=venue), _form_status(form)


# Étapes


@bp.route("/etapes/nouvelle", methods=["GET", "POST"])
@admin_required
def new_event():
    tours, venues = _list_tours(), _list_venues()
    if not tours or not venues:
        flash(_("Créez d'abord une tournée et au moins un lieu."), "warning")
        return redirect(url_for("events_admin.new_tour" if not tours else "events_admin.new_venue"))
    form: EventForm = event_form(tours=tours, venues=venues)
    if request.method == "GET" and request.args.get("tournee") is not None:
        form.tour_id.data = id_argument("tournee")
    if form.validate_on_submit():
        try:
            event = services.create_event(form.tour_id.data, form.capacity.data, form.details())
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "L'étape de %(town)s est créée (%(status)s).",
                    town=event.venue.town,
                    status=EVENT_STATUS_LABELS[event.status],
                ),
                "success",
            )
            return redirect(url_for("events_admin.dashboard") + f"#tournee-{event.tour_id}")
    return render_template("admin/event_form.html", form=form, event=None), _form_status(form)


@bp.route("/etapes/<int:event_id>/modifier", methods=["GET", "POST"])
@admin_required
def edit_event(event_id: int):
    event = _get_or_404(Event, event_id)
    form: EventForm = event_form(event, venues=_list_venues())
    if form.validate_on_submit():
        try:
            services.update_event(event, form.details())
            # The capacity goes through the candidates' service: it also fills freed seats
            # from the waiting list.
            promoted = candidate_services.change_capacity(event, form.capacity.data)
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("L'étape de %(town)s est enregistrée.", town=event.venue.town), "success")
            if promoted:
                flash(
                    ngettext(
                        "%(num)s personne de la liste d'attente est confirmée et prévenue par e-mail.",
                        "%(num)s personnes de la liste d'attente sont confirmées et prévenues par e-mail.",
                        len(promoted),
                    ),
                    "success",
                )
            return redirect(url_for("events_admin.dashboard") + f"#tournee-{event.tour_id}")
    return render_template("admin/event_form.html", form=form, event=event), _form_status(form)
