"""Back-office: the email outbox, and the messages received by the development SMTP sink.

The received messages are shown only when MAIL_SINK_DIR is set (`make run`). A message's HTML
is served on its own address, inside a sandboxed frame, with a policy that allows no script,
no request and no form: only its inline styles and its images (made data: URLs).
"""

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.permissions import staff_required
from app.extensions import db
from app.notifications import mailbox
from app.notifications.forms import STATUS_LABELS, OutboxFilterForm
from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.services import retry_failed

bp = Blueprint("notifications_admin", __name__, url_prefix="/admin/courriels")

#: The newest messages shown on one page.
PAGE_SIZE = 200

#: Policy of the frame that shows a received message's HTML.
MESSAGE_HTML_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'; "
    "form-action 'none'; sandbox allow-popups allow-popups-to-escape-sandbox"
)


@bp.get("/")
@staff_required
def outbox():
    form = OutboxFilterForm(request.args)
    status = form.statut.data if form.validate() and form.statut.data else None
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(PAGE_SIZE)
    if status:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return render_template(
        "admin/outbox.html",
        form=form,
        messages=db.session.scalars(query).all(),
        counts={status: counts.get(status, 0) for status in OutboxStatus},
        status_labels=STATUS_LABELS,
        status=status,
        page_size=PAGE_SIZE,
        sink_enabled=bool(current_app.config.get("MAIL_SINK_DIR")),
    )


@bp.post("/<int:message_id>/reessayer")
@staff_required
def retry(message_id: int):
    if retry_failed(message_id):
        db.session.commit()
        flash(
            _("Le courriel est remis dans la file : il partira dans quelques instants."), "success"
        )
    else:
        flash(_("Ce courriel n'est pas en échec : il n'y a rien à réessayer."), "warning")
    return redirect(url_for(".outbox", statut=request.args.get("statut") or None))


def _sink_folder() -> str:
    folder = current_app.config.get("MAIL_SINK_DIR")
    if not folder:
        abort(404)
    return folder


def _received_or_404(name: str):
    message = mailbox.read_message(_sink_folder(), name)
    if message is None:
        abort(404)
    return message


@bp.get("/recus/")
@staff_required
def received():
    folder = current_app.config.get("MAIL_SINK_DIR")
    return render_template(
        "notifications/received.html",
        messages=mailbox.list_received(folder, limit=PAGE_SIZE) if folder else [],
        folder=folder,
        page_size=PAGE_SIZE,
    )


@bp.get("/recus/<name>")
@staff_required
def received_message(name: str):
    message = _received_or_404(name)
    return render_template(
        "notifications/received_message.html",
        name=name,
        message=message,
        text=mailbox.body(message, "plain"),
        html=mailbox.body(message, "html"),
        parts=mailbox.parts(message),
    )


@bp.get("/recus/<name>/html")
@staff_required
def received_html(name: str):
    html = mailbox.html_with_inline_images(_received_or_404(name))
    if html is None:
        abort(404)
    # Links open outside the frame (in a new tab), never inside it.
    base = '<base target="_blank">'
    html = html.replace("<head>", "<head>" + base, 1) if "<head>" in html else base + html
    response = current_app.response_class(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = MESSAGE_HTML_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _download(data: bytes, mimetype: str, filename: str):
    # send_file writes a name outside ASCII as RFC 5987 asks (filename*=UTF-8'').
    response = send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/recus/<name>/parties/<int:index>")
@staff_required
def received_part(name: str, index: int):
    found = mailbox.part_content(_received_or_404(name), index)
    if found is None:
        abort(404)
    part, data = found
    return _download(data, part.content_type, part.filename)


@bp.get("/recus/<name>/source")
@staff_required
def received_source(name: str):
    raw = mailbox.read_raw(_sink_folder(), name)
    if raw is None:
        abort(404)
    return _download(raw, "message/rfc822", name)
