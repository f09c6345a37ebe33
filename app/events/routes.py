"""Public pages: the tour, its étapes, the information notice; language choice."""

from flask import Blueprint, redirect, render_template, request, url_for

from app.auth.permissions import public
from app.events.models import today_in_paris
from app.events.queries import get_current_tour, get_public_event_or_404, list_public_events
from app.forms import local_path

bp = Blueprint("events", __name__)


@bp.get("/")
@public
def home():
    tour = get_current_tour()
    events = list_public_events(tour) if tour else []
    return render_template("events/home.html", tour=tour, events=events, today=today_in_paris())


@bp.get("/etapes/<int:event_id>")
@public
def event(event_id: int):
    event = get_public_event_or_404(event_id)
    return render_template("events/event.html", event=event, today=today_in_paris())


@bp.get("/vos-donnees")
@public
def privacy():
    return render_template("events/privacy.html", tour=get_current_tour())


@bp.get("/langue/<code>")
@public
def set_language(code: str):
    response = redirect(local_path(request.args.get("next")) or url_for("events.home"))
    if code in ("fr", "en"):
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
