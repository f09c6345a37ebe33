"""Companies, their establishments, and their participation in étapes with job offers."""

from datetime import datetime, time
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import TimestampMixin, enum_column
from app.events.models import Event
from app.extensions import db


class Company(TimestampMixin, db.Model):
    """A legal company, identified by its SIREN."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 9 digits, checked with python-stdnum (Luhn).
    siren: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    sector: Mapped[str] = mapped_column(String(120), default="")
    #: Signed the "Charte emploi senior": shown as a badge to candidates.
    charter_signatory: Mapped[bool] = mapped_column(default=False)

    establishments: Mapped[list["Establishment"]] = relationship(
        back_populates="company", order_by="Establishment.name"
    )

    def __repr__(self) -> str:
        return f"<Company {self.siren} {self.name}>"


class Establishment(TimestampMixin, db.Model):
    """A site of a company, identified by its SIRET (whose first 9 digits are the SIREN)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    siret: Mapped[str] = mapped_column(String(14), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(5), default="")
    town: Mapped[str] = mapped_column(String(80), default="")

    company: Mapped[Company] = relationship(back_populates="establishments", lazy="joined")
    participations: Mapped[list["Participation"]] = relationship(back_populates="establishment")

    def __repr__(self) -> str:
        return f"<Establishment {self.siret} {self.name}>"

    @property
    def display_name(self) -> str:
        if self.name == self.company.name:
            return self.name
        return f"{self.company.name} — {self.name}"


class EmployerMember(TimestampMixin, db.Model):
    """An employer user's scope: one establishment, or a whole company when
    `establishment_id` is empty."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    establishment_id: Mapped[int | None] = mapped_column(ForeignKey("establishment.id"), index=True)

    user: Mapped[User] = relationship(lazy="joined")
    company: Mapped[Company] = relationship(lazy="joined")
    establishment: Mapped[Establishment | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<EmployerMember user={self.user_id} company={self.company_id}>"

    def covers(self, establishment: Establishment) -> bool:
        if self.establishment_id is not None:
            return establishment.id == self.establishment_id
        return establishment.company_id == self.company_id


class ParticipationStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class Participation(TimestampMixin, db.Model):
    """An establishment at an étape: its tables (recruiters) and interview hours."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishment.id"), index=True)
    status: Mapped[ParticipationStatus] = mapped_column(
        enum_column(ParticipationStatus), default=ParticipationStatus.REQUESTED
    )
    #: Recruiters interviewing at the same time (one slot per table and start time).
    tables: Mapped[int] = mapped_column(default=1)
    #: Interview hours, local time of the étape.
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    #: What the employer wrote to the organisers with the request.
    message: Mapped[str] = mapped_column(Text, default="")
    #: Marked present on the day (from a check-in tablet, or by the employer's own QR code).
    arrived_at: Mapped[datetime | None]
    #: Secret of the employer's arrival QR code (made when first shown).
    arrival_token: Mapped[str | None] = mapped_column(String(43), unique=True)
    #: Why staff refused (sent to the employer).
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Table numbers are given per étape: this participation's first table is this number.
    first_table: Mapped[int] = mapped_column(default=1)

    event: Mapped[Event] = relationship(lazy="joined")
    establishment: Mapped[Establishment] = relationship(
        back_populates="participations", lazy="joined"
    )
    offers: Mapped[list["JobOffer"]] = relationship(
        back_populates="participation", order_by="JobOffer.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("event_id", "establishment_id"),
        CheckConstraint("tables BETWEEN 1 AND 50", name="tables_range"),
        CheckConstraint("ends_at > starts_at", name="hours_in_order"),
        CheckConstraint("first_table >= 1", name="first_table_positive"),
    )

    def __repr__(self) -> str:
        return f"<Participation {self.id} event={self.event_id} {self.status}>"

    @property
    def is_accepted(self) -> bool:
        return self.status == ParticipationStatus.ACCEPTED

    def table_label(self, table: int) -> int:
        """The number shown on the étape's floor plan for this participation's table."""
        return self.first_table + table - 1


class ContractType(StrEnum):
    CDI = "CDI"
    CDD_LONG = "CDD >= 1 mois"
    CDD_SHORT = "CDD < 1 mois"
    INTERIM = "Intérim"
    ALTERNANCE = "Alternance"
    OTHER = "Autre"

    @property
    def label(self) -> str:
        """The contract in words, for people (the value is the code of the workbook)."""
        return str(CONTRACT_LABELS[self])


CONTRACT_LABELS = {
    ContractType.CDI: _l("CDI"),
    ContractType.CDD_LONG: _l("CDD d'un mois ou plus"),
    ContractType.CDD_SHORT: _l("CDD de moins d'un mois"),
    ContractType.INTERIM: _l("Intérim"),
    ContractType.ALTERNANCE: _l("Alternance"),
    ContractType.OTHER: _l("Autre contrat"),
}


class JobOffer(TimestampMixin, db.Model):
    """A position an employer recruits for at an étape."""

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(ForeignKey("participation.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    contract_type: Mapped[ContractType] = mapped_column(enum_column(ContractType))
    #: ROME "grand domaine" letter (A…N).
    rome_domain: Mapped[str] = mapped_column(String(1))
    positions: Mapped[int] = mapped_column(default=1)
    description: Mapped[str] = mapped_column(Text, default="")

    participation: Mapped[Participation] = relationship(back_populates="offers")

    __table_args__ = (CheckConstraint("positions BETWEEN 1 AND 999", name="positions_range"),)

    def __repr__(self) -> str:
        return f"<JobOffer {self.id} {self.title}>"
