"""Back-office: registrations (search, filters, on a person's behalf, export)."""

from flask import Blueprint, render_template
from sqlalchemy import select

from app.auth.permissions import staff_required
from app.candidates.models import Registration
from app.extensions import db

bp = Blueprint("candidates_admin", __name__, url_prefix="/admin/inscriptions")


@bp.get("/")
@staff_required
def registrations():
    rows = db.session.scalars(
        select(Registration).order_by(Registration.id.desc()).limit(100)
    ).all()
    return render_template("admin/registrations.html", registrations=rows)
