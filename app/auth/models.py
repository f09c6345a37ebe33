"""Staff users."""

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.db import TimestampMixin, enum_column, utcnow
from app.extensions import db


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    #: An HR person of an establishment (employer portal only; no password).
    EMPLOYER = "employer"


class User(UserMixin, TimestampMixin, db.Model):
    """A member of the association's staff who signs in to the back-office."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Empty for employer users, who sign in with an emailed link or code.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot sign in
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role) -> bool:
        return self.role == Role.ADMIN or self.role in roles

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.STAFF)


class SignInToken(db.Model):
    """A one-time sign-in sent by email: a link (its token) and a short code to type.

    Only hashes are stored. A token is used once, expires, and allows a few code attempts.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    #: Wrong codes typed; the code is refused after MAX_CODE_ATTEMPTS.
    failed_attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<SignInToken {self.id} user={self.user_id}>"
