"""Back-office: the email outbox."""

from flask import Blueprint, render_template
from sqlalchemy import select

from app.auth.permissions import staff_required
from app.extensions import db
from app.notifications.models import OutboxMessage

bp = Blueprint("notifications_admin", __name__, url_prefix="/admin/courriels")


@bp.get("/")
@staff_required
def outbox():
    messages = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)
    ).all()
    return render_template("admin/outbox.html", messages=messages)
