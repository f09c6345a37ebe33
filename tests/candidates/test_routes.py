"""The public registration form and "Mon inscription", end to end through the test client."""

import html
import json
import secrets
import xml.etree.ElementTree as ElementTree
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from app.candidates import services
from app.candidates.models import Candidate, Registration, RegistrationStatus
from app.events.models import Event, EventStatus
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.notifications.qr import qr_svg
from tests.candidates import documents
from tests.candidates.conftest import (
    assert_seats_match,
    database_snapshot,
    row_counts,
)
from tests.conftest import registration_form
from tests.pages import multipart_body, read_page

NOTHING = {"candidate": 0, "registration": 0, "outbox": 0}


def register_url(event) -> str:
    return f"/etapes/{event.id}/inscription"


def token_rules(app, method="GET"):
    """Every "Mon inscription" URL rule that accepts `method`."""
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/mon-inscription/<token>") and method in rule.methods
        ),
        key=lambda rule: rule.rule,
    )


def token_urls(app, token, method="GET"):
    return [rule.rule.replace("<token>", token) for rule in token_rules(app, method)]


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def assert_friendly_error_page(response, status, title):
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = text_of(response)
    assert '<html lang="fr">' in page
    assert title in page
    assert "Traceback" not in page and 'File "' not in page


# --- Registration form ------------------------------------------------------------------


def test_valid_registration_shows_the_ticket_and_its_qr_code(client, make_event):
    event = make_event(capacity=10)
    response = client.post(
        register_url(event),
        data=registration_form(email="Marie.Dupont@Exemple.fr", phone="06 12 34 56 78"),
    )
    assert response.status_code == 302
    registration = db.session.scalars(select(Registration)).one()
    assert response.headers["Location"] == (
        f"/mon-inscription/{registration.manage_token}/confirmation"
    )
    candidate = registration.candidate
    assert (candidate.last_name, candidate.first_name) == ("Dupont", "Marie")
    assert (candidate.email, candidate.phone) == ("marie.dupont@exemple.fr", "+33612345678")
    assert (candidate.birth_year, candidate.postcode, candidate.domains) == (
        1966,
        "59000",
        ["D", "K"],
    )
    assert candidate.wants_workshop and candidate.consented_at is not None
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.referral.value == "france_travail"
    assert db.session.get(Event, event.id).seats_taken == 1
    message = db.session.scalars(select(OutboxMessage)).one()
    assert (message.kind, message.recipient) == (
        "registration_confirmed",
        "marie.dupont@exemple.fr",
    )

    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    body = text_of(page)
    assert registration.display_code in body
    qr_url = f"/mon-inscription/{registration.manage_token}/qr.svg"
    assert f'src="{qr_url}"' in body

    qr = client.get(qr_url)
    assert qr.status_code == 200
    assert qr.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(qr.data)
    assert root.tag.endswith("svg")
    assert qr.data == qr_svg(registration.ticket_code).encode()


def test_registration_with_a_phone_and_no_email(client, make_event):
    event = make_event()
    response = client.post(
        register_url(event), data=registration_form(email="", phone="0612345678")
    )
    assert response.status_code == 302
    candidate = db.session.scalars(select(Candidate)).one()
    assert (candidate.email, candidate.phone) == (None, "+33612345678")
    assert row_counts()["outbox"] == 0  # no email to send to: the ticket is on the page
    page = text_of(client.get(response.headers["Location"]))
    assert "Vous n'avez pas donné d'e-mail" in page


INVALID_FIELDS = [
    ("empty last name", {"last_name": ""}, "last_name", "last_name", "Écrivez votre nom."),
    ("empty first name", {"first_name": "  "}, "first_name", "first_name", "Écrivez votre prénom."),
    (
        "name not in letters",
        {"first_name": "<b>Marie</b>"},
        "first_name",
        "first_name",
        "Écrivez le nom en lettres",
    ),
    ("bad email", {"email": "marie@"}, "email", "email", "Écrivez une adresse e-mail complète"),
    ("bad phone", {"phone": "01 23"}, "phone", "phone", "Écrivez un numéro de téléphone français"),
    (
        "foreign phone",
        {"phone": "+44 20 7946 0958"},
        "phone",
        "phone",
        "numéro de téléphone français",
    ),
    (
        "no email and no phone",
        {"email": "", "phone": ""},
        "email",
        "email",
        "Indiquez une adresse e-mail ou, si vous n'en avez pas, un numéro de téléphone.",
    ),
    (
        "birth year in letters",
        {"birth_year": "mille neuf cent"},
        "birth_year",
        "birth_year",
        "Écrivez votre année de naissance en 4 chiffres",
    ),
    (
        "birth year of 400 digits",
        {"birth_year": "1" * 400},
        "birth_year",
        "birth_year",
        "Écrivez votre année de naissance en 4 chiffres",
    ),
    (
        "birth year missing",
        {"birth_year": ""},
        "birth_year",
        "birth_year",
        "Écrivez votre année de naissance en 4 chiffres",
    ),
    (
        "short postcode",
        {"postcode": "5900"},
        "postcode",
        "postcode",
        "Écrivez le code postal en 5 chiffres",
    ),
    (
        "postcode in other digits",
        {"postcode": "٥٩٠٠٠"},
        "postcode",
        "postcode",
        "Écrivez le code postal en 5 chiffres",
    ),
    (
        "postcode missing",
        {"postcode": ""},
        "postcode",
        "postcode",
        "Écrivez votre code postal en 5 chiffres",
    ),
    ("no referral", {"referral": None}, "referral-0", "referral", "Choisissez une réponse."),
    (
        "forged referral",
        {"referral": "tf1"},
        "referral-0",
        "referral",
        "Choisissez une des réponses proposées.",
    ),
    (
        "forged domain",
        {"domains": ["D", "Z"]},
        "domains-0",
        "domains",
        "Cochez seulement des domaines de la liste.",
    ),
    (
        "consent unchecked",
        {"consent": None},
        "consent",
        "consent",
        "Cochez cette case pour vous inscrire",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "anchor", "field", "message"),
    [case[1:] for case in INVALID_FIELDS],
    ids=[case[0] for case in INVALID_FIELDS],
)
def test_invalid_field_is_named_in_the_summary_and_next_to_it(
    client, make_event, overrides, anchor, field, message
):
    event = make_event()
    response = client.post(register_url(event), data=registration_form(**overrides))
    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    assert list(page.summary_links) == [f"#{anchor}"], page.summary_links
    assert anchor in page.ids  # the link leads to the field
    next_to_field = page.field_errors[f"{field}-error"]
    assert next_to_field.startswith("Erreur :")
    assert message in page.summary_links[f"#{anchor}"]
    assert message in next_to_field
    assert row_counts() == NOTHING
    assert db.session.get(Event, event.id).seats_taken == 0


@pytest.mark.parametrize("min_age", [50, 55])
def test_too_young_gets_a_kind_refusal_naming_the_minimum_age(client, make_event, min_age):
    event = make_event(min_age=min_age)
    too_young = event.date.year - min_age + 1
    response = client.post(register_url(event), data=registration_form(birth_year=str(too_young)))
    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    message = page.field_errors["birth_year-error"]
    assert f"réservé aux personnes de {min_age} ans et plus" in message
    assert f"né(e) en {too_young - 1} ou avant" in message
    assert list(page.summary_links) == ["#birth_year"]
    assert row_counts() == NOTHING

    oldest_refused_plus_one = registration_form(birth_year=str(too_young - 1))
    assert client.post(register_url(event), data=oldest_refused_plus_one).status_code == 302


def test_several_errors_are_all_listed_in_the_order_of_the_form(client, make_event):
    event = make_event()
    response = client.post(
        register_url(event),
        data=registration_form(last_name="", email="x@", postcode="abc", consent=None),
    )
    assert response.status_code == 422
    page = read_page(response.get_data(as_text=True))
    assert list(page.summary_links) == ["#last_name", "#email", "#postcode", "#consent"]
    assert set(page.field_errors) == {
        "last_name-error",
        "email-error",
        "postcode-error",
        "consent-error",
    }
    assert row_counts() == NOTHING


def test_full_event_puts_people_on_the_waiting_list_with_their_position(
    client, make_event, make_registration
):
    event = make_event(capacity=1)
    make_registration(event)
    positions = []
    for first_name in ("Odile", "Gérard"):
        response = client.post(register_url(event), data=registration_form(first_name=first_name))
        assert response.status_code == 302
        positions.append(text_of(client.get(response.headers["Location"])))
    assert "Vous êtes sur la liste d'attente, en position 1." in positions[0]
    assert "Vous êtes sur la liste d'attente, en position 2." in positions[1]
    assert "qr.svg" not in positions[0]  # no ticket until a seat is given
    statuses = db.session.scalars(select(Registration.status).order_by(Registration.id)).all()
    assert statuses == ["confirmed", "waitlisted", "waitlisted"]
    kinds = db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
    assert kinds[-2:] == ["registration_waitlisted", "registration_waitlisted"]
    assert_seats_match(event.id)


def test_registration_form_warns_when_the_event_is_full(client, make_event, make_registration):
    event = make_event(capacity=1)
    make_registration(event)
    page = text_of(client.get(register_url(event)))
    assert "Cette étape est complète" in page


@pytest.mark.parametrize(
    "second",
    [
        {"email": "MARIE.DUPONT@exemple.fr", "first_name": "Mariette", "phone": ""},
        {"email": "autre.adresse@exemple.fr", "last_name": "DUPONT", "first_name": "marie"},
    ],
    ids=["same email", "same phone and name"],
)
def test_registering_twice_tells_the_person_and_sends_the_link_again(client, make_event, second):
    event = make_event()
    first = registration_form(email="marie.dupont@exemple.fr", phone="06 12 34 56 78")
    assert client.post(register_url(event), data=first).status_code == 302
    before = row_counts()

    response = client.post(register_url(event), data=registration_form(**second))
    assert response.status_code == 200
    page = text_of(response)
    assert "Vous êtes déjà inscrit(e) à cette étape" in page
    assert "renvoyer par e-mail le lien" in page
    after = row_counts()
    assert (after["candidate"], after["registration"]) == (
        before["candidate"],
        before["registration"],
    )
    link = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "registration_link")
    ).one()
    registration = db.session.scalars(select(Registration)).one()
    assert link.recipient == "marie.dupont@exemple.fr"  # the address of the registration
    assert registration.manage_token in link.text_body


def test_duplicate_without_email_tells_the_person_to_call(client, make_event):
    event = make_event()
    form = registration_form(email="", phone="06 11 22 33 44")
    assert client.post(register_url(event), data=form).status_code == 302
    response = client.post(register_url(event), data=form)
    assert response.status_code == 200
    assert "Pour retrouver votre billet, appelez-nous" in text_of(response)
    assert row_counts()["registration"] == 1


@pytest.mark.parametrize(
    ("event_fields", "expected"),
    [
        ({"opens_in": 5}, "Elles ouvriront le"),
        ({"days_ahead": 1, "closes_before": 2}, "Les inscriptions en ligne sont terminées"),
        ({"status": EventStatus.CANCELLED}, "ne sont pas ouvertes"),
    ],
    ids=["not yet open", "closed", "cancelled event"],
)
def test_closed_registration_gets_a_clear_page_and_writes_nothing(
    client, make_event, event_fields, expected
):
    event = make_event(**event_fields)
    for method in ("GET", "POST"):
        response = client.open(register_url(event), method=method, data=registration_form())
        assert response.status_code == 200
        page = text_of(response)
        assert expected in page
        assert "<form" not in page.split("<main", 1)[1]
    assert row_counts() == NOTHING


def test_draft_or_unknown_event_is_not_found(client, make_event):
    draft = make_event(status=EventStatus.DRAFT)
    for url in (register_url(draft), "/etapes/999999/inscription"):
        for method in ("GET", "POST"):
            response = client.open(url, method=method, data=registration_form())
            assert_friendly_error_page(response, 404, "Page introuvable")
    assert row_counts() == NOTHING


def test_unexpected_error_shows_a_friendly_page_and_writes_nothing(client, make_event, monkeypatch):
    event = make_event()

    def broken_notice(registration):
        raise RuntimeError("the mail template is broken")

    monkeypatch.setattr(services.emails, "queue_registration_notice", broken_notice)
    response = client.post(register_url(event), data=registration_form())
    assert_friendly_error_page(response, 500, "Une erreur est survenue")
    assert "Rien n'a été enregistré" in text_of(response)
    db.session.rollback()
    assert row_counts() == NOTHING
    assert db.session.get(Event, event.id).seats_taken == 0


# --- Oversized and malformed requests ---------------------------------------------------


@pytest.mark.parametrize(
    ("size", "content_type"),
    [
        (600 * 1024, "application/x-www-form-urlencoded"),
        (600 * 1024, "multipart/form-data"),
        (300 * 1024, "multipart/form-data"),  # one field over MAX_FORM_MEMORY_SIZE
    ],
    ids=["huge body", "huge multipart body", "one huge multipart field"],
)
def test_oversized_request_gets_the_413_page(client, make_event, size, content_type):
    event = make_event()
    fields = registration_form(last_name="A" * size)
    if content_type == "multipart/form-data":
        body, content_type = multipart_body(fields)
    else:
        body = urlencode(fields, doseq=True)
    response = client.post(register_url(event), data=body, content_type=content_type)
    assert_friendly_error_page(response, 413, "Envoi trop volumineux")
    assert row_counts() == NOTHING


def test_a_long_field_within_the_size_limit_is_a_field_error(client, make_event):
    event = make_event()
    response = client.post(register_url(event), data=registration_form(last_name="A" * 200_000))
    assert response.status_code == 422
    assert "80 caractères au plus." in read_page(text_of(response)).field_errors["last_name-error"]
    assert row_counts() == NOTHING


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"last_name=Dupont"),  # no boundary
        ("application/x-www-form-urlencoded", b"last_name=Dupont&first_name=\xff\xfe\xfa"),
    ],
    ids=["multipart without boundary", "form data that is not UTF-8"],
)
def test_malformed_form_data_gets_the_400_page(client, make_event, content_type, body):
    event = make_event()
    response = client.post(register_url(event), data=body, content_type=content_type)
    assert_friendly_error_page(response, 400, "Demande incorrecte")
    assert row_counts() == NOTHING


def test_method_not_allowed_gets_a_friendly_page(client):
    assert_friendly_error_page(client.delete("/"), 405, "Action impossible")


# --- "Mon inscription" ------------------------------------------------------------------


@pytest.mark.parametrize("status", ["confirmed", "waitlisted", "cancelled"])
def test_opening_every_link_page_changes_nothing(
    app, client, make_event, make_registration, status
):
    event = make_event(capacity=1)
    other = make_event(capacity=5, tour=event.tour)
    occupant = make_registration(event)
    registration = make_registration(event) if status == "waitlisted" else occupant
    if status == "cancelled":
        services.cancel(registration)
        db.session.commit()
    assert registration.status == status
    services.upload_cv(registration.candidate, "cv.pdf", documents.pdf())
    db.session.commit()
    token = registration.manage_token
    before = database_snapshot()
    urls = token_urls(app, token)
    assert len(urls) >= 10
    for url in urls:
        response = client.get(url)
        if status == "cancelled" and url.endswith((".svg", ".ics")):
            assert response.status_code == 404, url  # a cancelled registration has no ticket
        elif status == "cancelled" and url.endswith("/annuler"):
            assert response.status_code == 302, url  # "already cancelled", back to the link
        else:
            assert response.status_code == 200, url
        response = client.head(url)
        assert response.status_code < 500
    assert database_snapshot() == before
    assert other.id  # a move target exists, so the move page offers it


def test_cancel_needs_a_post_and_promotes_the_first_waiting(client, make_event, make_registration):
    event = make_event(capacity=1)
    registration = make_registration(event)
    waiting = make_registration(event)
    url = f"/mon-inscription/{registration.manage_token}/annuler"
    page = client.get(url)
    assert page.status_code == 200
    assert "Oui, annuler mon inscription" in text_of(page)
    db.session.expire_all()
    assert registration.status == RegistrationStatus.CONFIRMED

    response = client.post(url)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/mon-inscription/{registration.manage_token}"
    db.session.expire_all()
    assert registration.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert_seats_match(event.id)
    kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert "registration_cancelled" in kinds and "registration_promoted" in kinds
    manage = text_of(client.get(response.headers["Location"]))
    assert "Votre inscription est annulée." in manage

    again = client.post(url)  # a second click: a message, no error, nothing more freed
    assert again.status_code == 302
    assert_seats_match(event.id)


def test_actions_need_the_csrf_token(make_app, make_event, make_registration):
    event = make_event(capacity=1)
    registration = make_registration(event)
    token, event_id = registration.manage_token, event.id
    db.session.commit()
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    csrf_client = csrf_app.test_client()
    urls = token_urls(csrf_app, token, "POST")
    assert f"/mon-inscription/{token}/annuler" in urls
    with csrf_app.app_context():
        before = database_snapshot()
        for url in [*urls, f"/etapes/{event_id}/inscription"]:
            response = csrf_client.post(url, data=registration_form())
            assert_friendly_error_page(response, 400, "Demande incorrecte")
        assert database_snapshot() == before

    cancel_url = f"/mon-inscription/{token}/annuler"
    form = read_page(csrf_client.get(cancel_url).get_data(as_text=True))
    response = csrf_client.post(cancel_url, data={"csrf_token": form.hidden["csrf_token"]})
    assert response.status_code == 302
    with csrf_app.app_context():
        cancelled = db.session.scalars(select(Registration)).one()
        assert cancelled.status == RegistrationStatus.CANCELLED
        assert_seats_match(event_id)


def test_move_to_an_event_with_seats_confirms(client, make_event, make_registration):
    old = make_event(capacity=1)
    new = make_event(capacity=2, tour=old.tour, town="Ronchin")
    registration = make_registration(old)
    waiting = make_registration(old)
    url = f"/mon-inscription/{registration.manage_token}/changer-d-etape"
    page = text_of(client.get(url))
    assert "Ronchin" in page
    response = client.post(url, data={"event_id": str(new.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert (registration.event_id, registration.status) == (new.id, RegistrationStatus.CONFIRMED)
    assert waiting.status == RegistrationStatus.CONFIRMED  # the freed seat went to them
    assert_seats_match(old.id, new.id)
    manage = text_of(client.get(response.headers["Location"]))
    assert "Ronchin" in manage and registration.display_code in manage


def test_move_to_a_full_event_waitlists(client, make_event, make_registration):
    old = make_event(capacity=2)
    new = make_event(capacity=1, tour=old.tour)
    registration = make_registration(old)
    make_registration(new)
    response = client.post(
        f"/mon-inscription/{registration.manage_token}/changer-d-etape",
        data={"event_id": str(new.id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (registration.event_id, registration.status) == (new.id, RegistrationStatus.WAITLISTED)
    assert_seats_match(old.id, new.id)
    page = text_of(client.get(response.headers["Location"]))
    assert "en position 1" in page


def test_move_refuses_an_event_it_does_not_offer(client, make_event, make_registration):
    old = make_event()
    make_event(tour=old.tour)  # a target it does offer: the form is shown
    other_tour = make_event()
    draft = make_event(tour=old.tour, status=EventStatus.DRAFT)
    registration = make_registration(old)
    url = f"/mon-inscription/{registration.manage_token}/changer-d-etape"
    before = database_snapshot()
    for target in (str(other_tour.id), str(draft.id), "999999", "abc", ""):
        response = client.post(url, data={"event_id": target})
        assert response.status_code == 422, target
        page = read_page(text_of(response))
        assert list(page.summary_links) == ["#event_id-0"], target
        assert "event_id-0" in page.ids and page.field_errors["event_id-error"]
    assert database_snapshot() == before


def test_move_to_the_current_event_changes_nothing(client, make_event, make_registration):
    event = make_event()
    make_event(tour=event.tour)
    registration = make_registration(event)
    url = f"/mon-inscription/{registration.manage_token}/changer-d-etape"
    before = database_snapshot()
    response = client.post(url, data={"event_id": str(event.id)})  # e.g. sent twice
    assert response.status_code == 302
    assert response.headers["Location"] == f"/mon-inscription/{registration.manage_token}"
    assert "Vous êtes déjà inscrit(e) à cette étape." in text_of(
        client.get(response.headers["Location"])
    )
    assert database_snapshot() == before


def test_personal_data_export_holds_the_persons_data(client, make_event, make_registration):
    event = make_event()
    registration = make_registration(
        event,
        last_name="Lefebvre",
        first_name="Anne",
        email="anne.l@exemple.fr",
        phone="+33611223344",
    )
    response = client.get(f"/mon-inscription/{registration.manage_token}/mes-donnees.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.data)
    assert (data["nom"], data["prenom"], data["email"], data["telephone"]) == (
        "Lefebvre",
        "Anne",
        "anne.l@exemple.fr",
        "+33611223344",
    )
    assert data["annee_de_naissance"] == 1965 and data["code_postal"] == "59000"
    assert [item["code_billet"] for item in data["inscriptions"]] == [registration.display_code]


def test_erasing_ones_data_anonymises_and_the_link_stops_working(
    client, make_event, make_registration
):
    event = make_event(capacity=1)
    registration = make_registration(event, last_name="Lefebvre", email="anne.l@exemple.fr")
    waiting = make_registration(event)
    token = registration.manage_token
    url = f"/mon-inscription/{token}/supprimer-mes-donnees"
    assert "Oui, supprimer mes données" in text_of(client.get(url))
    db.session.expire_all()
    assert registration.candidate.anonymised_at is None

    response = client.post(url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/donnees-supprimees"
    assert client.get("/donnees-supprimees").status_code == 200
    db.session.expire_all()
    candidate = registration.candidate
    assert candidate.anonymised_at is not None
    assert (candidate.email, candidate.phone, candidate.first_name) == (None, None, "")
    assert "Lefebvre" not in repr(database_snapshot()["candidate"])
    assert registration.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert_seats_match(event.id)
    for old_url in token_urls(client.application, token):
        response = client.get(old_url)
        assert response.status_code == 404, old_url
        assert "Ce lien ne fonctionne pas" in text_of(response)
    for old_url in token_urls(client.application, token, "POST"):
        assert client.post(old_url).status_code == 404, old_url


def forged_tokens(real: str) -> dict[str, str]:
    return {
        "truncated": real[:-3],
        "one more character": real + "A",
        "one character changed": real[:-1] + ("A" if real[-1] != "A" else "B"),
        "upper case": real.upper() if real.upper() != real else real.lower(),
        "made up": secrets.token_urlsafe(32),
        "a ticket code": "7K3MQ9ZP",
        "very long": "A" * 5000,
        "with a NUL byte": real[:10] + "\x00" + real[11:],
        "percent-encoded NUL": "%00",
        "accents": "é" * 43,
        "quote and html": "'\"<script>",
        "SQL": "' OR '1'='1",
    }


def test_forged_or_mistyped_token_gets_the_link_page_never_a_500(
    app, client, make_event, make_registration
):
    registration = make_registration(make_event())
    before = database_snapshot()
    for name, token in forged_tokens(registration.manage_token).items():
        for method in ("GET", "POST"):
            for rule in token_rules(app, method):
                url = rule.rule.replace("<token>", token)
                response = client.open(url, method=method)
                assert response.status_code == 404, (name, method, url)
                assert "Ce lien ne fonctionne pas" in text_of(response), (name, url)
    assert database_snapshot() == before


def test_a_form_shown_again_writes_the_phone_as_it_was_typed_not_as_stored(client, make_event):
    event = make_event()
    response = client.post(
        register_url(event), data=registration_form(phone="+33 6 12 34 56 78", postcode="abc")
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="06 12 34 56 78"' in page
    assert "+33612345678" not in page
    assert row_counts() == NOTHING
