"""Fixtures of the employers and interviews tests: accepted participations with their
slots, and confirmed registrations."""

import itertools
from datetime import time

import pytest

from app.auth.models import Role
from app.candidates import services as candidates
from app.employers import services as employers
from app.employers.models import ContractType
from app.extensions import db
from app.interviews.services import slots
from tests import sirets

_numbers = itertools.count(1)


def participation_details(**overrides) -> employers.ParticipationDetails:
    values = {
        "contact_name": "Claire Dubois",
        "contact_email": f"rh{next(_numbers)}@entreprise.example",
        "contact_phone": "+33320000000",
        "tables": 1,
        "starts_at": time(9),
        "ends_at": time(10),
        "offers": [
            employers.OfferDetails(
                title="Préparateur de commandes", contract_type=ContractType.CDI, rome_domain="N"
            )
        ],
    }
    values.update(overrides)
    return employers.ParticipationDetails(**values)


def establishment_details(**overrides) -> employers.EstablishmentDetails:
    number = next(_numbers)
    values = {
        "siret": sirets.siret(sirets.siren(10_000 + number)),
        "company_name": f"Entreprise {number}",
        "name": f"Entreprise {number} Lille",
        "address": "1 rue Nationale",
        "postcode": "59000",
        "town": "Lille",
    }
    values.update(overrides)
    return employers.EstablishmentDetails(**values)


@pytest.fixture
def staff_user(make_user):
    return make_user(Role.STAFF)


@pytest.fixture
def make_participation(app, staff_user):
    """An establishment's participation at an étape (accepted, with slots, by default)."""

    def make(event, *, accepted=True, establishment=None, **overrides):
        establishment = establishment or employers.save_establishment(establishment_details())
        (participation,) = employers.request_participation(
            [event.id], establishment, participation_details(**overrides)
        )
        if accepted:
            slots.accept(participation, staff_user)
        db.session.commit()
        return participation

    return make


@pytest.fixture
def make_registration(app, details):
    def make(event, **overrides):
        registration = candidates.register(event.id, details(**overrides))
        db.session.commit()
        return registration

    return make
