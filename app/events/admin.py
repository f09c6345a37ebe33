"""Back-office: étapes overview, and setting up the tour, venues and étapes."""

from flask import Blueprint, render_template
from sqlalchemy import select

from app.auth.permissions import staff_required
from app.candidates.queries import count_by_status
from app.events.models import Event, Tour
from app.extensions import db

bp = Blueprint("events_admin", __name__, url_prefix="/admin")


@bp.get("/")
@staff_required
def dashboard():
    events = list(
        db.session.scalars(
            select(Event).join(Event.tour).order_by(Tour.year.desc(), Event.date, Event.starts_at)
        )
    )
    counts = count_by_status([event.id for event in events])
    return render_template("admin/dashboard.html", events=events, counts=counts)
