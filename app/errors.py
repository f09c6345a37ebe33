"""Domain errors and the friendly HTTP error pages."""

import logging
import uuid

from flask import g, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule said no. `code` is stable; `message` is for people."""

    def __init__(self, message: str, code: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        #: Name of the form field the error is about, when there is one.
        self.field = field


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Demande incorrecte"), _("La page n'a pas compris la demande envoyée.")),
        403: (_("Accès refusé"), _("Vous n'avez pas le droit d'ouvrir cette page.")),
        404: (_("Page introuvable"), _("Cette adresse ne correspond à aucune page.")),
        405: (_("Action impossible"), _("Cette action n'est pas possible à cette adresse.")),
        413: (
            _("Envoi trop volumineux"),
            _("Les informations envoyées sont trop volumineuses. Raccourcissez-les."),
        ),
        429: (
            _("Trop de tentatives"),
            _("Vous avez fait trop d'essais en peu de temps. Patientez une minute."),
        ),
        500: (
            _("Une erreur est survenue"),
            _("Nous n'avons pas pu traiter votre demande. Rien n'a été enregistré."),
        ),
    }


def request_id() -> str:
    if "request_id" not in g:
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex[:12]
    return g.request_id


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(status: int):
    title, text = _titles().get(status, _titles()[500])
    if _wants_json():
        return jsonify({"error": {"code": f"http_{status}", "message": text}}), status
    return render_template(
        "errors/error.html", status=status, title=title, text=text, request_id=request_id()
    ), status


def register_error_handlers(app):
    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        status = error.code or 500
        if status in (401,):
            status = 403
        body, status = render_error(status if status in _titles() else 400)
        headers = {}
        if status == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)  # required by RFC 9110
        return body, status, headers

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        from app.extensions import db

        db.session.rollback()
        log.exception("Unhandled error (request %s)", request_id())
        return render_error(500)
