"""Job Dating Tour 50+: application factory."""

import logging

from babel import Locale
from flask import Flask, Request, current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from werkzeug.exceptions import BadRequest
from werkzeug.formparser import FormDataParser
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from app import config as settings
from app.db import read_only_transaction
from app.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from app.forms import MAX_ID


class StrictFormDataParser(FormDataParser):
    """Malformed form data (a multipart body without boundary, bytes that are not UTF-8…)
    is a 400 Bad Request, instead of being read silently as an empty form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "silent": False})

    def parse(self, *args, **kwargs):
        try:
            return super().parse(*args, **kwargs)
        except ValueError as error:
            raise BadRequest("malformed form data") from error


def percent_encoded(raw: bytes) -> bytes:
    """`raw` with every byte outside ASCII written `%XX`, as a browser sends a URL. Werkzeug
    decodes a query string of raw bytes as strict UTF-8 (a 500 for a latin-1 "è" typed by
    an old client or a script), and percent-encoded bytes leniently."""
    if raw.isascii():
        return raw
    return b"".join(bytes((byte,)) if byte < 0x80 else b"%%%02X" % byte for byte in raw)


class StrictRequest(Request):
    form_data_parser_class = StrictFormDataParser

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.query_string = percent_encoded(self.query_string)


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in URLs: a number larger than any database id does not match (404), instead
    of reaching the database, which would refuse it (a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


#: The languages of the app, parsed once (Flask-Babel would parse the name at every request).
LOCALES = {name: Locale.parse(name) for name in ("fr", "en")}


def select_locale() -> Locale:
    """The language chosen with the footer link (a cookie); French otherwise."""
    if not has_request_context():
        return LOCALES["fr"]
    return LOCALES.get(request.cookies.get("lang"), LOCALES["fr"])


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, its signer made once per set of keys: Flask makes one
    at every request, to read the cookie, and again to write it."""

    def __init__(self):
        self._signers = {}

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._signers:
            self._signers[keys] = super().get_signing_serializer(app)
        return self._signers[keys]


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; `test_config` overrides settings from the environment."""
    app = Flask(
        __name__,
        template_folder="../templates",
        instance_path=str(settings.INSTANCE_DIR),
    )
    app.request_class = StrictRequest
    app.session_interface = SessionCookies()
    app.url_map.converters["int"] = DatabaseIdConverter
    app.config.update(settings.DEFAULTS)
    app.config.update(settings.from_environment())
    if test_config:
        app.config.update(test_config)
    settings.INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    if app.config.get("TRUSTED_PROXIES"):
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(settings.INSTANCE_DIR.parent / "migrations"), render_as_batch=True
    )
    mail.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    from app import models  # noqa: F401  (every model registered on the metadata)
    from app.auth.permissions import enforce_declared_access
    from app.auth.routes import bp as auth_bp
    from app.candidates.admin import bp as candidates_admin_bp
    from app.candidates.routes import bp as candidates_bp
    from app.checkin.admin import bp as checkin_admin_bp
    from app.checkin.api import bp as api_bp
    from app.checkin.routes import bp as checkin_bp
    from app.employers.routes import bp as employers_bp
    from app.errors import register_error_handlers
    from app.events.admin import bp as events_admin_bp
    from app.events.routes import bp as events_bp
    from app.interviews.admin import bp as interviews_admin_bp
    from app.interviews.portal import bp as employer_portal_bp
    from app.interviews.routes import bp as interviews_bp
    from app.interviews.services import booking  # noqa: F401  (connects its signal handlers)
    from app.notifications.admin import bp as notifications_admin_bp

    for blueprint in (
        events_bp,
        candidates_bp,
        auth_bp,
        events_admin_bp,
        candidates_admin_bp,
        notifications_admin_bp,
        employers_bp,
        interviews_bp,
        interviews_admin_bp,
        employer_portal_bp,
        checkin_bp,
        checkin_admin_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)

    app.before_request(_mark_read_only)
    app.before_request(enforce_declared_access)
    app.teardown_request(_reset_read_only)
    app.after_request(_security_headers)
    register_error_handlers(app)
    _register_template_helpers(app)

    from app.cli import register_cli

    register_cli(app)
    return app


def _mark_read_only():
    """GET and HEAD requests read only, unless their view says otherwise (`writes_on_get`):
    SQLite need not take the write lock for them."""
    view = current_app.view_functions.get(request.endpoint)
    writes = getattr(view, "writes_on_get", False)
    read_only_transaction.set(request.method in ("GET", "HEAD", "OPTIONS") and not writes)


def _reset_read_only(error=None):
    read_only_transaction.set(False)


#: Sent with every response unless its view set its own (a message preview, say).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
}


def _security_headers(response):
    # One pass over the headers: werkzeug's `in` and `setdefault` raise and catch an
    # exception for each header missing, at every request.
    present = {name.lower() for name, _value in response.headers}
    for name, value in SECURITY_HEADERS.items():
        if name.lower() not in present:
            response.headers.add(name, value)
    return response


def _register_template_helpers(app: Flask) -> None:
    from app import formatting

    app.jinja_env.filters.update(formatting.FILTERS)

    @app.context_processor
    def inject_globals():
        return {"current_locale": str(get_locale()), "config": app.config}
