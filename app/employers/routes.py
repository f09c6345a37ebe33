"""Public pages for employers: asking to take part in étapes."""

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.permissions import public
from app.employers import services
from app.employers.forms import ParticipationForm
from app.employers.models import Participation
from app.errors import DomainError
from app.events.models import Event, EventStatus, today_in_paris
from app.extensions import db

bp = Blueprint("employers", __name__, url_prefix="/employeurs")


def _open_events() -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.status == EventStatus.PUBLISHED, Event.date >= today_in_paris())
            .order_by(Event.date, Event.starts_at)
        )
    )


def _prefill(form: ParticipationForm, siret: str) -> bool:
    """Fill the form with what is known of that SIRET; True when it was known."""
    try:
        establishment = services.get_establishment_by_siret(services.clean_siret(siret))
    except DomainError:
        return False
    if establishment is None:
        return False
    company = establishment.company
    form.company_name.data = company.name
    form.name.data = establishment.name
    form.address.data = establishment.address
    form.postcode.data = establishment.postcode
    form.town.data = establishment.town
    form.sector.data = company.sector
    form.charter_signatory.data = company.charter_signatory
    return True


@bp.route("/participer", methods=["GET", "POST"])
@public
def participate():
    events = _open_events()
    form = ParticipationForm(events=events)
    known = False
    if request.method == "GET" and request.args.get("siret"):
        form.siret.data = request.args["siret"][:30]
        known = _prefill(form, form.siret.data)
    if form.validate_on_submit():
        try:
            establishment = services.save_establishment(form.establishment())
            participations = services.request_participation(
                form.events.data, establishment, form.details()
            )
        except DomainError as error:
            db.session.rollback()
            field = form[error.field] if error.field in form else form.siret  # noqa: SIM401
            field.errors.append(error.message)
        else:
            db.session.commit()
            # The confirmation is a page of its own, so that reloading it sends nothing again.
            session["requested_participations"] = [p.id for p in participations]
            return redirect(url_for(".requested"))
    status = 422 if form.errors else 200
    return render_template(
        "employers/participate.html", form=form, events=events, known=known
    ), status


@bp.get("/demande-envoyee")
@public
def requested():
    """What this browser just asked for (the ids are kept in its session)."""
    ids = [i for i in session.get("requested_participations", []) if isinstance(i, int)]
    participations = [
        participation
        for participation in (db.session.get(Participation, i) for i in ids)
        if participation is not None
    ]
    if not participations:
        return redirect(url_for(".participate"))
    return render_template("employers/requested.html", participations=participations)


@bp.get("/")
@public
def about():
    return render_template("employers/about.html", events=_open_events(), title=_("Employeurs"))
