"""Sign-in and sign-out (rate-limited): staff with a password, employer users with an
emailed one-time link or code."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from app.auth import services
from app.auth.forms import ConfirmSignInForm, LoginForm, SignInCodeForm, SignInRequestForm
from app.auth.models import User
from app.auth.permissions import public
from app.errors import DomainError
from app.extensions import db, limiter, login_manager
from app.forms import local_path

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def _safe_next(target: str | None, default: str = "events_admin.dashboard") -> str:
    return local_path(target) or url_for(default)


@bp.route("/connexion", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            db.session.rollback()
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/deconnexion")
@public
def logout():
    logout_user()
    flash(_("Vous êtes déconnecté(e)."), "success")
    return redirect(url_for("events.home"))


@bp.route("/espace-employeur/connexion", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def employer_sign_in():
    """Step 1: the employer gives their email; a link and a code are sent."""
    form = SignInRequestForm()
    if form.validate_on_submit():
        services.request_sign_in(form.email.data)
        db.session.commit()
        code_form = SignInCodeForm(email=form.email.data, formdata=None)
        return render_template(
            "auth/employer_check_email.html", email=form.email.data, form=code_form
        )
    return render_template("auth/employer_sign_in.html", form=form), 422 if form.errors else 200


@bp.post("/espace-employeur/connexion/code")
@public
@limiter.limit("10 per minute; 50 per hour")
def employer_sign_in_code():
    """Step 2, by hand: the 6-digit code of the email."""
    form = SignInCodeForm()
    if form.validate_on_submit():
        try:
            user = services.sign_in_with_code(form.email.data or "", form.code.data)
        except DomainError as error:
            db.session.commit()  # a wrong code counts against the email
            form.code.errors.append(error.message)
        else:
            db.session.commit()
            login_user(user)
            return redirect(url_for("employer_portal.home"))
    return render_template("auth/employer_check_email.html", email=form.email.data, form=form), 422


@bp.route("/espace-employeur/connexion/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def employer_sign_in_link(token: str):
    """Step 2, by the link: a page whose button signs in (mail scanners open links)."""
    form = ConfirmSignInForm()
    if form.validate_on_submit():
        try:
            user = services.sign_in_with_token(token)
        except DomainError as error:
            db.session.rollback()
            return render_template("auth/employer_link_invalid.html", message=error.message), 410
        db.session.commit()
        login_user(user)
        flash(_("Bienvenue dans votre espace employeur."), "success")
        return redirect(url_for("employer_portal.home"))
    if services.usable_sign_in(token) is None:
        message = services.invalid_sign_in_message()
        return render_template("auth/employer_link_invalid.html", message=message), 410
    return render_template("auth/employer_link.html", form=form)
