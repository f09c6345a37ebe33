"""Companies, establishments and the participation workflow."""

from datetime import time

import pytest
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.employers import services
from app.employers.models import (
    Company,
    EmployerMember,
    Establishment,
    Participation,
    ParticipationStatus,
)
from app.errors import DomainError
from app.extensions import db
from app.notifications.models import OutboxMessage
from tests import sirets
from tests.interviews.conftest import establishment_details, participation_details


def outbox_kinds() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)))


@pytest.mark.parametrize("raw", ["", "1234", "73282932000075", "7328293200007X", "732829320000741"])
def test_an_invalid_siret_is_refused_with_a_message(app, raw):
    with pytest.raises(DomainError) as caught:
        services.clean_siret(raw)
    assert caught.value.code == "invalid_siret"
    assert "SIRET" in caught.value.message


def test_a_valid_siret_is_accepted_with_spaces():
    assert services.clean_siret("732 829 320 00074") == "73282932000074"


def test_an_invalid_siren_is_refused(app):
    with pytest.raises(DomainError) as caught:
        services.clean_siren("732829321")
    assert caught.value.code == "invalid_siren"
    assert services.clean_siren("732 829 320") == "732829320"


def test_the_company_is_found_or_made_from_the_siret(app):
    siren = sirets.siren(4242)
    first = services.save_establishment(
        establishment_details(siret=sirets.siret(siren, 1), company_name="Transports Nord")
    )
    second = services.save_establishment(
        establishment_details(siret=sirets.siret(siren, 2), company_name="Transports Nord")
    )
    db.session.commit()
    assert first.company_id == second.company_id
    assert first.company.siren == siren
    assert db.session.scalar(select(func.count(Company.id))) == 1
    assert db.session.scalar(select(func.count(Establishment.id))) == 2


def test_a_request_then_acceptance_creates_an_employer_account_and_emails(
    app, make_event, staff_user
):
    event = make_event()
    establishment = services.save_establishment(establishment_details())
    (participation,) = services.request_participation(
        [event.id], establishment, participation_details(contact_email="RH@Exemple.fr")
    )
    db.session.commit()
    assert participation.status == ParticipationStatus.REQUESTED
    assert participation.contact_email == "rh@exemple.fr"
    assert outbox_kinds() == ["participation_requested"]

    services.accept_participation(participation, staff_user)
    db.session.commit()
    user = db.session.scalar(select(User).where(User.email == "rh@exemple.fr"))
    assert user.role == Role.EMPLOYER and user.password_hash is None
    member = db.session.scalar(select(EmployerMember).where(EmployerMember.user_id == user.id))
    assert member.establishment_id == establishment.id
    assert participation.first_table == 1
    assert outbox_kinds() == ["participation_requested", "participation_accepted"]

    with pytest.raises(DomainError) as caught:
        services.refuse_participation(participation, staff_user, "")
    assert caught.value.code == "not_requested"


def test_tables_are_numbered_along_the_etape(app, make_event, make_participation):
    event = make_event()
    first = make_participation(event, tables=3)
    second = make_participation(event, tables=2)
    assert (first.first_table, second.first_table) == (1, 4)


def test_a_refusal_is_emailed_with_its_reason(app, make_event, make_participation, staff_user):
    event = make_event()
    participation = make_participation(event, accepted=False)
    services.refuse_participation(participation, staff_user, "Étape complète côté employeurs.")
    db.session.commit()
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "participation_refused")
    )
    assert "Étape complète côté employeurs." in message.text_body


def test_a_second_request_for_the_same_etape_is_refused(app, make_event):
    event = make_event()
    establishment = services.save_establishment(establishment_details())
    services.request_participation([event.id], establishment, participation_details())
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        services.request_participation([event.id], establishment, participation_details())
    assert caught.value.code == "already_participating"


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "tables", "code"),
    [
        (time(8), time(10), 1, "bad_hours"),  # before the étape opens (9:00)
        (time(10), time(9), 1, "bad_hours"),
        (time(9), time(9, 10), 1, "bad_hours"),  # shorter than one interview
        (time(9), time(12), 0, "bad_tables"),
        (time(9), time(12), 51, "bad_tables"),
    ],
)
def test_bad_hours_or_tables_are_refused_and_nothing_is_written(
    app, make_event, starts_at, ends_at, tables, code
):
    event = make_event()
    establishment = services.save_establishment(establishment_details())
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        services.request_participation(
            [event.id],
            establishment,
            participation_details(starts_at=starts_at, ends_at=ends_at, tables=tables),
        )
    db.session.rollback()
    assert caught.value.code == code
    assert db.session.scalar(select(func.count(Participation.id))) == 0


def test_a_request_needs_an_offer(app, make_event):
    event = make_event()
    establishment = services.save_establishment(establishment_details())
    with pytest.raises(DomainError) as caught:
        services.request_participation([event.id], establishment, participation_details(offers=[]))
    assert caught.value.code == "offer_missing"


def test_offers_are_edited_in_place(app, make_event, make_participation):
    event = make_event()
    participation = make_participation(event)
    (offer,) = participation.offers
    services.set_offers(
        participation,
        [
            (offer.id, services.OfferDetails("Cariste", offer.contract_type, "N", 2)),
            (None, services.OfferDetails("Chauffeur", offer.contract_type, "N")),
        ],
    )
    db.session.commit()
    assert [(o.title, o.positions) for o in participation.offers] == [
        ("Cariste", 2),
        ("Chauffeur", 1),
    ]
    assert participation.offers[0].id == offer.id
