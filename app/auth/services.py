"""Staff accounts: creation and sign-in checks.

DomainError codes: email_taken, weak_password, bad_credentials.
"""

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db

MIN_PASSWORD_LENGTH = 10


def create_user(email: str, name: str, password: str, role: Role = Role.STAFF) -> User:
    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise DomainError(
            _("Un compte existe déjà avec cette adresse e-mail."), "email_taken", "email"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _("Le mot de passe doit faire au moins %(n)s caractères.", n=MIN_PASSWORD_LENGTH),
            "weak_password",
            "password",
        )
    user = User(email=email, name=name.strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    """Return the active user with these credentials, or raise bad_credentials."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active or not user.check_password(password):
        raise DomainError(_("Adresse e-mail ou mot de passe incorrect."), "bad_credentials")
    user.last_login_at = utcnow()
    return user
