"""Employers' pages: the participation request, the sign-in without password, the portal."""

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from app.auth.models import SignInToken, User
from app.candidates import services as candidates
from app.db import utcnow
from app.employers.models import Establishment, Participation
from app.extensions import db
from app.interviews.models import (
    Interview,
    InterviewSource,
    InterviewStatus,
    ProfileAccess,
    ProfileReview,
)
from app.interviews.services import booking, reviews
from app.notifications.models import OutboxMessage
from tests import sirets
from tests.candidates import documents
from tests.interviews.test_services import slots_of


def request_form(event_ids, **overrides) -> dict:
    data = {
        "siret": sirets.siret(sirets.siren(777)),
        "company_name": "Boulangeries du Nord",
        "name": "Boulangerie de Roubaix",
        "address": "12 Grand-Rue",
        "postcode": "59100",
        "town": "Roubaix",
        "sector": "Alimentation",
        "charter_signatory": "y",
        "events": [str(i) for i in event_ids],
        "contact_name": "Claire Dubois",
        "contact_email": "claire.dubois@boulangeries.example",
        "contact_phone": "03 20 11 22 33",
        "tables": "2",
        "starts_at": "9:00",
        "ends_at": "12:00",
        "offer1_title": "Vendeur en boulangerie",
        "offer1_contract_type": "CDI",
        "offer1_rome_domain": "D",
        "offer1_positions": "2",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_employer_asks_to_take_part(app, client, make_event):
    event = make_event()
    response = client.post("/employeurs/participer", data=request_form([event.id]))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/employeurs/demande-envoyee"
    # The confirmation can be reloaded: it sends nothing again.
    for _ in range(2):
        page = client.get("/employeurs/demande-envoyee").get_data(as_text=True)
        assert "votre demande est envoyée" in page and event.venue.town in page
    assert db.session.scalar(select(func.count(Participation.id))) == 1
    participation = db.session.scalar(select(Participation))
    assert participation.tables == 2 and participation.offers[0].positions == 2
    assert participation.establishment.company.charter_signatory is True
    assert db.session.scalar(select(OutboxMessage.kind)) == "participation_requested"


def test_the_confirmation_page_without_a_request_leads_to_the_form(client):
    response = client.get("/employeurs/demande-envoyee")
    assert response.status_code == 302
    assert response.headers["Location"] == "/employeurs/participer"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"siret": "12345678901234"}, "SIRET n'est pas valide"),
        ({"events": []}, "Choisissez au moins une étape"),
        (
            {"offer1_title": None, "offer1_contract_type": None, "offer1_rome_domain": None},
            "au moins une offre",
        ),
        ({"offer1_contract_type": ""}, "Choisissez le type de contrat"),
        ({"starts_at": "8:00"}, "compris dans ceux de l'étape"),
        ({"tables": "0"}, "Entre 1 et 50 tables"),
        ({"contact_email": "pas-une-adresse"}, "adresse e-mail complète"),
    ],
)
def test_bad_requests_say_what_to_do_and_write_nothing(app, client, make_event, overrides, message):
    event = make_event()
    response = client.post("/employeurs/participer", data=request_form([event.id], **overrides))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in text.replace("&#39;", "'")
    assert "error-summary" in text
    assert db.session.scalar(select(func.count(Participation.id))) == 0
    assert db.session.scalar(select(func.count(Establishment.id))) == 0


def test_a_known_siret_fills_the_form(app, client, make_event, make_participation):
    event = make_event()
    participation = make_participation(event)
    siret = participation.establishment.siret
    response = client.get(f"/employeurs/participer?siret={siret[:3]} {siret[3:]}")
    text = response.get_data(as_text=True)
    assert "Nous avons retrouvé votre établissement" in text
    assert participation.establishment.name in text


# --- Sign-in without password ------------------------------------------------------------


def employer_of(participation) -> User:
    return db.session.scalar(select(User).where(User.email == participation.contact_email))


def sign_in_email(address: str) -> OutboxMessage:
    return db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "employer_sign_in", OutboxMessage.recipient == address)
        .order_by(OutboxMessage.id.desc())
    )


def test_the_sign_in_link_opens_a_page_whose_button_signs_in(
    app, client, make_event, make_participation
):
    participation = make_participation(make_event())
    address = participation.contact_email
    response = client.post("/espace-employeur/connexion", data={"email": address})
    assert "Vérifiez vos e-mails" in response.get_data(as_text=True)
    link = re.search(
        r"http://localhost(/espace-employeur/connexion/\S+)", sign_in_email(address).text_body
    )[1]

    assert client.get(link).status_code == 200  # a mail scanner opening the link
    assert client.get("/espace-employeur/").status_code == 302  # …signs nobody in
    response = client.post(link)
    assert response.status_code == 302 and response.headers["Location"] == "/espace-employeur/"
    assert client.get("/espace-employeur/").status_code == 200
    client.post("/deconnexion")
    assert client.post(link).status_code == 410  # used once


def test_the_code_signs_in_and_wrong_codes_are_counted(app, client, make_event, make_participation):
    participation = make_participation(make_event())
    address = participation.contact_email
    client.post("/espace-employeur/connexion", data={"email": address})
    code = re.search(r"(\d{3} \d{3})", sign_in_email(address).text_body)[1]
    wrong = "000 000" if code != "000 000" else "111 111"
    response = client.post(
        "/espace-employeur/connexion/code", data={"email": address, "code": wrong}
    )
    assert response.status_code == 422
    assert "ne correspond pas" in response.get_data(as_text=True)
    assert db.session.scalar(select(SignInToken.failed_attempts)) == 1
    response = client.post(
        "/espace-employeur/connexion/code", data={"email": address, "code": code}
    )
    assert response.status_code == 302
    assert client.get("/espace-employeur/").status_code == 200


def test_an_expired_link_or_an_unknown_address_sign_nobody_in(
    app, client, make_event, make_participation
):
    participation = make_participation(make_event())
    response = client.post("/espace-employeur/connexion", data={"email": "inconnu@exemple.fr"})
    assert "Vérifiez vos e-mails" in response.get_data(as_text=True)  # says the same
    assert sign_in_email("inconnu@exemple.fr") is None
    client.post("/espace-employeur/connexion", data={"email": participation.contact_email})
    body = sign_in_email(participation.contact_email).text_body
    link = re.search(r"http://localhost(/espace-employeur/connexion/\S+)", body)[1]
    for token in db.session.scalars(select(SignInToken)):
        token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.post(link).status_code == 410
    assert client.post("/espace-employeur/connexion/forged-token").status_code == 410


# --- Portal ------------------------------------------------------------------------------


@pytest.fixture
def employer_client(app):
    """Sign in the employer user of a participation (through the real code path)."""

    def sign_in(participation):
        test_client = app.test_client()
        address = participation.contact_email
        test_client.post("/espace-employeur/connexion", data={"email": address})
        code = re.search(r"(\d{3} \d{3})", sign_in_email(address).text_body)[1]
        response = test_client.post(
            "/espace-employeur/connexion/code", data={"email": address, "code": code}
        )
        assert response.status_code == 302
        return test_client

    return sign_in


def test_an_employer_sees_their_bookings_and_not_another_employers(
    app, make_event, make_participation, make_registration, employer_client
):
    event = make_event(self_booking_open=True)
    mine, theirs = make_participation(event), make_participation(event)
    registration = make_registration(event, first_name="Josiane", last_name="Lemaire")
    booking.book(registration.id, slots_of(mine)[0].id, source=InterviewSource.SELF)
    db.session.commit()
    client = employer_client(mine)
    text = client.get(f"/espace-employeur/participations/{mine.id}").get_data(as_text=True)
    assert "Josiane Lemaire" in text
    for url in (
        f"/espace-employeur/participations/{theirs.id}",
        f"/espace-employeur/participations/{theirs.id}/journee",
        f"/espace-employeur/participations/{theirs.id}/resultats",
    ):
        assert client.get(url).status_code == 404, url
    interview = db.session.scalar(select(Interview))
    response = client.post(
        f"/espace-employeur/participations/{theirs.id}/entretiens/{interview.id}/resultat",
        data={"answer": "no_show"},
    )
    assert response.status_code == 404


def test_profiles_are_shown_only_with_consent_and_can_be_declined(
    app, make_event, make_participation, make_registration, employer_client
):
    event = make_event(self_booking_open=True)
    participation = make_participation(event)
    sharing = make_registration(event, first_name="Bernard", last_name="Caron")
    sharing.shares_profile = True
    make_registration(event, first_name="Monique", last_name="Secret")
    db.session.commit()
    client = employer_client(participation)
    text = client.get(f"/espace-employeur/participations/{participation.id}").get_data(as_text=True)
    assert "Bernard Caron" in text and "Monique Secret" not in text
    response = client.post(
        f"/espace-employeur/participations/{participation.id}/profils/{sharing.id}",
        data={"verdict": "declined"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(ProfileReview.verdict)) == "declined"


def test_a_cv_is_downloaded_only_with_consent_and_each_opening_is_logged(
    app, make_event, make_participation, make_registration, employer_client
):
    event = make_event(self_booking_open=True)
    participation, other = make_participation(event), make_participation(event)
    sharing = make_registration(event, first_name="Bernard", last_name="Caron")
    sharing.shares_profile = True
    private = make_registration(event, first_name="Monique", last_name="Secret")
    elsewhere = make_registration(make_event(), first_name="Paul", last_name="Ailleurs")
    elsewhere.shares_profile = True
    for registration in (sharing, private, elsewhere):
        candidates.upload_cv(registration.candidate, "CV.pdf", documents.pdf())
    db.session.commit()
    client = employer_client(participation)
    page = client.get(f"/espace-employeur/participations/{participation.id}").get_data(as_text=True)
    assert "Télécharger le CV" in page and "PDF" in page
    base = f"/espace-employeur/participations/{participation.id}/profils"
    response = client.get(f"{base}/{sharing.id}/cv")
    assert response.status_code == 200 and response.data == documents.pdf()
    assert response.headers["Cache-Control"] == "private, no-store"
    accesses = db.session.execute(select(ProfileAccess.registration_id, ProfileAccess.what))
    assert (sharing.id, "cv") in set(accesses)
    for registration in (private, elsewhere):
        assert client.get(f"{base}/{registration.id}/cv").status_code == 404
    # Another employer's participation, even for a shared profile, and unknown ids.
    assert (
        client.get(
            f"/espace-employeur/participations/{other.id}/profils/{sharing.id}/cv"
        ).status_code
        == 404
    )
    assert client.get(f"{base}/999999/cv").status_code == 404
    # Consent withdrawn: the CV is out of reach at once.
    sharing.shares_profile = False
    db.session.commit()
    assert client.get(f"{base}/{sharing.id}/cv").status_code == 404


def test_a_profile_page_opened_while_someone_else_writes_still_logs_its_opening(
    app, make_event, make_participation, make_registration, employer_client, monkeypatch
):
    """The page writes its RGPD log: on SQLite, a read-only transaction could not wait for
    another request's write ("database is locked"), so the view takes the write lock."""
    event = make_event(self_booking_open=True)
    participation = make_participation(event)
    sharing = make_registration(event, first_name="Bernard", last_name="Caron")
    sharing.shares_profile = True
    db.session.commit()
    client = employer_client(participation)
    url, event_id = f"/espace-employeur/participations/{participation.id}", event.id
    db.session.commit()  # nothing held by the test's own transaction
    engine, original, writers, failures = db.engine, reviews.log_access, [], []

    def another_request_writes():
        try:
            with engine.begin() as connection:
                connection.execute(
                    text("UPDATE event SET capacity = capacity + 1 WHERE id = :id"),
                    {"id": event_id},
                )
        except Exception as error:  # reported below, not lost in the thread
            failures.append(error)

    def log_access_meanwhile(*args):
        writer = threading.Thread(target=another_request_writes)
        writer.start()
        writer.join(timeout=0.5)  # done at once, unless this request holds the lock
        writers.append(writer)
        return original(*args)

    monkeypatch.setattr(reviews, "log_access", log_access_meanwhile)
    response = client.get(url)
    db.session.rollback()  # the request's session is the test's: let go, as its teardown would
    for writer in writers:
        writer.join(timeout=30)
    assert response.status_code == 200 and failures == []
    assert db.session.scalar(select(func.count(ProfileAccess.id))) == 1


def test_the_employer_marks_outcomes_on_the_day(
    app, make_event, make_participation, make_registration, employer_client
):
    event = make_event(self_booking_open=True, days_ahead=0, closes_before=0)
    participation = make_participation(event)
    registration = make_registration(event)
    interview = booking.book(
        registration.id, slots_of(participation)[0].id, source=InterviewSource.SELF
    )
    db.session.commit()
    client = employer_client(participation)
    page = client.get(f"/espace-employeur/participations/{participation.id}/resultats")
    assert "Venu(e) — concluant" in page.get_data(as_text=True)
    client.post(
        f"/espace-employeur/participations/{participation.id}/entretiens/{interview.id}/resultat",
        data={"answer": "concluant", "note": "À rappeler lundi"},
    )
    db.session.expire_all()
    interview = db.session.get(Interview, interview.id)
    assert (interview.status, interview.concluant, interview.note) == (
        InterviewStatus.HELD,
        True,
        "À rappeler lundi",
    )
    sheet = client.get(f"/espace-employeur/participations/{participation.id}/journee")
    assert registration.candidate.full_name in sheet.get_data(as_text=True)
    # The sheet carries the employer's arrival QR code and its link, which marks them present.
    db.session.expire_all()
    token = db.session.get(Participation, participation.id).arrival_token
    assert f"/accueil/employeur/{token}" in sheet.get_data(as_text=True)
    assert "data:image/svg+xml;base64," in sheet.get_data(as_text=True)


def test_the_employer_edits_their_offers(app, make_event, make_participation, employer_client):
    participation = make_participation(make_event())
    (offer,) = participation.offers
    client = employer_client(participation)
    url = f"/espace-employeur/participations/{participation.id}/offres"
    page = client.get(url).get_data(as_text=True)
    assert offer.title in page
    response = client.post(
        url,
        data={
            "offer1_id": str(offer.id),
            "offer1_title": "Cariste",
            "offer1_contract_type": "CDD >= 1 mois",
            "offer1_rome_domain": "N",
            "offer1_positions": "3",
            "offer2_title": "Agent d'accueil",
            "offer2_contract_type": "CDI",
            "offer2_rome_domain": "M",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [(o.id == offer.id, o.title, o.positions) for o in participation.offers] == [
        (True, "Cariste", 3),
        (False, "Agent d'accueil", 1),
    ]
    # A half-filled row says what is missing, and nothing changes.
    response = client.post(url, data={"offer1_id": str(offer.id), "offer1_title": "Cariste"})
    assert response.status_code == 422
    assert "Choisissez le type de contrat" in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(participation.offers) == 2


def test_another_employers_offers_are_out_of_reach(
    app, make_event, make_participation, employer_client
):
    event = make_event()
    mine, theirs = make_participation(event), make_participation(event)
    client = employer_client(mine)
    assert client.get(f"/espace-employeur/participations/{theirs.id}/offres").status_code == 404
    response = client.post(
        f"/espace-employeur/participations/{theirs.id}/offres",
        data={"offer1_title": "Pirate", "offer1_contract_type": "CDI", "offer1_rome_domain": "N"},
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert [o.title for o in theirs.offers] == ["Préparateur de commandes"]
