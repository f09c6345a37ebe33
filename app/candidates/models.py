"""Candidates and their registrations at étapes."""

import re
import unicodedata
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, String, event
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.db import TimestampMixin, enum_column
from app.events.models import Event
from app.extensions import db

#: A GIN index of trigrams on `Candidate.search_key`, made by a migration on PostgreSQL only
#: (where `pg_trgm` can be had), for `LIKE '%word%'`: not in the models, and left aside by
#: the schema comparisons.
SEARCH_KEY_TRIGRAM_INDEX = "ix_candidate_search_key_trgm"
#: The same on SQLite: an FTS5 table of the trigrams of `search_key` (it keeps only its
#: index, the text stays in `candidate`), kept up to date by triggers. Made with the table
#: (`_sqlite_search_trigrams`) and by a migration; left aside by the schema comparisons
#: (with its shadow tables, named after it).
SEARCH_KEY_TRIGRAMS = "candidate_search"
SQLITE_SEARCH_TRIGRAMS_DDL = (
    f"CREATE VIRTUAL TABLE {SEARCH_KEY_TRIGRAMS} USING fts5(search_key, content='candidate', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER {SEARCH_KEY_TRIGRAMS}_insert AFTER INSERT ON candidate BEGIN "
    f"INSERT INTO {SEARCH_KEY_TRIGRAMS} (rowid, search_key) VALUES (new.id, new.search_key); "
    "END",
    f"CREATE TRIGGER {SEARCH_KEY_TRIGRAMS}_delete AFTER DELETE ON candidate BEGIN "
    f"INSERT INTO {SEARCH_KEY_TRIGRAMS} ({SEARCH_KEY_TRIGRAMS}, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); END",
    f"CREATE TRIGGER {SEARCH_KEY_TRIGRAMS}_update AFTER UPDATE OF search_key ON candidate BEGIN "
    f"INSERT INTO {SEARCH_KEY_TRIGRAMS} ({SEARCH_KEY_TRIGRAMS}, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); "
    f"INSERT INTO {SEARCH_KEY_TRIGRAMS} (rowid, search_key) VALUES (new.id, new.search_key); "
    "END",
)


class Candidate(TimestampMixin, db.Model):
    """A job seeker aged 50 or over, as they registered."""

    id: Mapped[int] = mapped_column(primary_key=True)
    last_name: Mapped[str] = mapped_column(String(80))
    first_name: Mapped[str] = mapped_column(String(80))
    #: Lower-cased; optional when a phone number is given.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    #: E.164 (+33…); optional when an email is given.
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    birth_year: Mapped[int]
    postcode: Mapped[str] = mapped_column(String(5))
    #: ROME "grands domaines" letters (A…N) the person is looking in.
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    wants_workshop: Mapped[bool] = mapped_column(default=False)
    #: When the person accepted the information notice.
    consented_at: Mapped[datetime]
    #: Language of the emails sent to the person ("fr" or "en").
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    #: Set when personal data was erased (on request or after the retention period).
    anonymised_at: Mapped[datetime | None]
    #: "last first" without accents, lower-case (see `name_key`): the check-in search.
    #: Its trigrams are indexed too: `SEARCH_KEY_TRIGRAM_INDEX` (PostgreSQL), `SEARCH_KEY_TRIGRAMS`
    #: (SQLite).
    search_key: Mapped[str | None] = mapped_column(String(170), index=True)

    registrations: Mapped[list["Registration"]] = relationship(back_populates="candidate")
    cv: Mapped["CurriculumVitae | None"] = relationship(
        back_populates="candidate", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(
            "email IS NOT NULL OR phone IS NOT NULL OR anonymised_at IS NOT NULL",
            name="contact_given",
        ),
    )

    def __repr__(self) -> str:
        return f"<Candidate {self.id}>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class RegistrationSource(StrEnum):
    ONLINE = "online"
    PHONE = "phone"
    ONSITE = "onsite"


class Referral(StrEnum):
    FRANCE_TRAVAIL = "france_travail"
    CAP_EMPLOI = "cap_emploi"
    APEC = "apec"
    PLIE_MDE = "plie_mde"
    PRESS = "press"
    SOCIAL_MEDIA = "social_media"
    WORD_OF_MOUTH = "word_of_mouth"
    OTHER = "other"


class Registration(TimestampMixin, db.Model):
    """A candidate at an étape: confirmed, on the waiting list, or cancelled."""

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(enum_column(RegistrationStatus))
    source: Mapped[RegistrationSource] = mapped_column(enum_column(RegistrationSource))
    referral: Mapped[Referral] = mapped_column(enum_column(Referral))
    #: Short code printed on the ticket and encoded in its QR (e.g. 7K3M-Q9ZP, stored without dash).
    ticket_code: Mapped[str] = mapped_column(String(8), unique=True)
    #: Secret of the "Mon inscription" link.
    manage_token: Mapped[str] = mapped_column(String(43), unique=True)
    #: Orders the waiting list (first in, first promoted).
    waitlisted_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    #: Set by the end of the day when a confirmed person never arrived.
    no_show_at: Mapped[datetime | None]
    #: The person agreed that the étape's employers see their profile (domains, postcode,
    #: wishes) before the day, and may shortlist or decline them.
    shares_profile: Mapped[bool] = mapped_column(default=False)
    #: Staff member who registered the person on their behalf.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    candidate: Mapped[Candidate] = relationship(back_populates="registrations", lazy="joined")
    event: Mapped[Event] = relationship(lazy="joined")

    __table_args__ = (
        Index("ix_registration_event_status", "event_id", "status"),
        CheckConstraint(
            "status != 'waitlisted' OR waitlisted_at IS NOT NULL", name="waitlist_has_time"
        ),
    )

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status}>"

    @property
    def display_code(self) -> str:
        return f"{self.ticket_code[:4]}-{self.ticket_code[4:]}"

    @property
    def is_active(self) -> bool:
        return self.status != RegistrationStatus.CANCELLED


class CurriculumVitae(TimestampMixin, db.Model):
    """The CV a candidate chose to upload. Employers of an étape can open it only when the
    candidate shares their profile there (`Registration.shares_profile`)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), unique=True)
    #: The name of the uploaded file, cleaned (shown to the person and used on download).
    filename: Mapped[str] = mapped_column(String(120))
    #: Detected from the content, not taken from the browser: one of CV_TYPES.
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    #: Loaded only when the file is downloaded.
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))

    candidate: Mapped[Candidate] = relationship(back_populates="cv")

    __table_args__ = (CheckConstraint("size > 0", name="not_empty"),)

    def __repr__(self) -> str:
        return f"<CurriculumVitae {self.id} candidate={self.candidate_id}>"


def name_key(text: str) -> str:
    """Lower-case, without accents or punctuation: "Lefèvre-Dupont" → "lefevre dupont"."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


@event.listens_for(Candidate.__table__, "after_create")
def _sqlite_search_trigrams(_table, connection, **_kwargs) -> None:
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_SEARCH_TRIGRAMS_DDL:
            connection.exec_driver_sql(statement)


@event.listens_for(Candidate.__table__, "before_drop")
def _drop_sqlite_search_trigrams(_table, connection, **_kwargs) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {SEARCH_KEY_TRIGRAMS}")


@event.listens_for(Candidate, "before_insert")
@event.listens_for(Candidate, "before_update")
def _keep_search_key(_mapper, _connection, candidate: Candidate) -> None:
    candidate.search_key = name_key(f"{candidate.last_name} {candidate.first_name}")[:170]
