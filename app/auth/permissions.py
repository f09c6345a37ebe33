"""Who may use each route. Access is closed by default: a view that declares nothing is
refused to everyone (see `enforce_declared_access`), and a test walks the URL map."""

from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from app.auth.models import Role

PUBLIC = "public"
#: Employer users of the employer portal (each sees their own establishments only).
EMPLOYER = "employer"


def public(view):
    """Anyone may open this view (public pages, registration, token links checked inside)."""
    view.access = PUBLIC
    return view


def role_required(*roles: Role):
    """Signed-in staff with one of `roles` (admins always pass)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = tuple(roles)
        return wrapped

    return decorator


staff_required = role_required(Role.STAFF)
admin_required = role_required(Role.ADMIN)


def employer_required(view):
    """A signed-in employer user; others are sent to the employer sign-in page. What they
    may see inside is checked by the portal's `load_*_or_404` helpers."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated or current_user.role != Role.EMPLOYER:
            return redirect(url_for("auth.employer_sign_in", next=request.path))
        return view(*args, **kwargs)

    wrapped.access = EMPLOYER
    return wrapped


def enforce_declared_access():
    """before_request: refuse any endpoint whose view did not declare who may use it."""
    if request.endpoint is None:
        return None  # 404 / 405 are handled by Flask
    view = current_app.view_functions.get(request.endpoint)
    if request.endpoint == "static" or getattr(view, "access", None) is not None:
        return None
    abort(403)
