"""Who may check people in at an étape: a tablet paired for it, or signed-in staff."""

from functools import wraps

from flask import abort, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.checkin import devices

#: Declared access of the check-in views (see `app.auth.permissions`).
DEVICE_OR_STAFF = "device_or_staff"


def current_device():
    """The usable tablet of this request's cookie (None without one), read once."""
    if "checkin_device" not in g:
        g.checkin_device = devices.device_for_token(request.cookies.get(devices.COOKIE_NAME))
    return g.checkin_device


def _device_refused():
    """A tablet whose pairing was revoked or whose day is over: say so, not a sign-in page."""
    return render_template(
        "checkin/pair_invalid.html",
        heading=_("Tablette non reconnue"),
        message=_(
            "Cette tablette a été retirée, ou sa journée est terminée. Demandez un nouveau "
            "code d'appairage à un administrateur."
        ),
    ), 403


def device_or_staff(view):
    """A tablet paired for the URL's `event_id`, or signed-in staff. A tablet of another
    étape gets 403; nobody signed in is sent to the staff sign-in page (403 on the API)."""

    @wraps(view)
    def wrapped(*args, event_id: int, **kwargs):
        device = current_device()
        if device is not None and device.event_id == event_id:
            return view(*args, event_id=event_id, **kwargs)
        if current_user.is_authenticated and current_user.is_staff:
            g.checkin_device = None  # a tablet of another étape does not sign staff's work
            return view(*args, event_id=event_id, **kwargs)
        if device is not None or request.path.startswith("/api/"):
            abort(403)
        if request.cookies.get(devices.COOKIE_NAME):
            return _device_refused()
        return current_app.login_manager.unauthorized()

    wrapped.access = DEVICE_OR_STAFF
    return wrapped
