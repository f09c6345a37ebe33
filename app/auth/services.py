"""Accounts and sign-in: staff with a password; employer users with an emailed one-time
link (or the short code it carries), no password to remember.

DomainError codes: email_taken, weak_password, bad_credentials, invalid_sign_in, bad_code.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.auth import emails
from app.auth.models import Role, SignInToken, User
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


#: How long an emailed sign-in link and its code stay valid.
SIGN_IN_VALIDITY = timedelta(minutes=30)
#: Wrong codes allowed for one sign-in email before it is spent.
MAX_CODE_ATTEMPTS = 5


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _employer_by_email(email: str) -> User | None:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active or user.role != Role.EMPLOYER:
        return None
    return user


def request_sign_in(email: str) -> SignInToken | None:
    """Email an employer user a one-time sign-in link and a 6-digit code.

    Returns None (and sends nothing) when no active employer account has that address: the
    page says the same either way, so that it does not tell who has an account.
    """
    user = _employer_by_email(email)
    if user is None:
        return None
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(1_000_000):06d}"
    sign_in = SignInToken(
        user=user,
        token_hash=_digest(token),
        code_hash=_digest(f"{user.id}:{code}"),
        expires_at=utcnow() + SIGN_IN_VALIDITY,
    )
    db.session.add(sign_in)
    db.session.flush()
    emails.queue_sign_in(sign_in, token, code)
    return sign_in


def invalid_sign_in_message() -> str:
    return _(
        "Ce lien de connexion n'est plus valable (il sert une fois, pendant 30 minutes). Demandez-en un nouveau."
    )


def _invalid_sign_in() -> DomainError:
    return DomainError(invalid_sign_in_message(), "invalid_sign_in")


def usable_sign_in(token: str) -> SignInToken | None:
    """The unused, unexpired sign-in of a link token, whose user may still sign in."""
    sign_in = db.session.scalar(
        select(SignInToken).where(SignInToken.token_hash == _digest(token or ""))
    )
    if sign_in is None or sign_in.used_at is not None or sign_in.expires_at < utcnow():
        return None
    if not sign_in.user.active or sign_in.user.role != Role.EMPLOYER:
        return None
    return sign_in


def sign_in_with_token(token: str) -> User:
    """The employer user of an unused, unexpired link token (the token is then spent)."""
    sign_in = usable_sign_in(token)
    if sign_in is None:
        raise _invalid_sign_in()
    # Spent by a guarded update, so that two clicks cannot both sign in.
    spent = db.session.execute(
        update(SignInToken)
        .where(SignInToken.id == sign_in.id, SignInToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if spent.rowcount != 1:
        raise _invalid_sign_in()
    sign_in.user.last_login_at = utcnow()
    return sign_in.user


def sign_in_with_code(email: str, code: str) -> User:
    """The employer user whose latest sign-in email holds this code.

    A wrong code counts against the email (MAX_CODE_ATTEMPTS); the caller commits even on
    error, so that the count is kept. Raises DomainError bad_code, invalid_sign_in.
    """
    user = _employer_by_email(email)
    sign_in = None
    if user is not None:
        sign_in = db.session.scalar(
            select(SignInToken)
            .where(
                SignInToken.user_id == user.id,
                SignInToken.used_at.is_(None),
                SignInToken.expires_at > utcnow(),
            )
            .order_by(SignInToken.id.desc())
            .limit(1)
        )
    if sign_in is None or sign_in.failed_attempts >= MAX_CODE_ATTEMPTS:
        raise _invalid_sign_in()
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if not hmac.compare_digest(sign_in.code_hash, _digest(f"{user.id}:{code}")):
        sign_in.failed_attempts += 1
        db.session.flush()
        raise DomainError(
            _("Ce code ne correspond pas. Vérifiez les 6 chiffres reçus par e-mail."),
            "bad_code",
            "code",
        )
    sign_in.used_at = utcnow()
    user.last_login_at = utcnow()
    return user
