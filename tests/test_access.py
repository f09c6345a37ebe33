"""Who may open what: the whole URL map is walked, and a candidate's link shows only their data.

Access is closed by default (a view that declares nothing is refused). The public endpoints
are listed here by hand: a new public page must be added to the list on purpose.
"""

import html

import pytest
from flask import url_for
from sqlalchemy import select
from werkzeug.routing.converters import NumberConverter

from app.auth.models import Role
from app.auth.permissions import PUBLIC, admin_required
from app.candidates import services
from app.candidates.models import RegistrationStatus
from app.checkin import devices
from app.events.models import Event
from app.extensions import db
from app.notifications.models import OutboxMessage
from app.notifications.qr import qr_svg
from tests.candidates import documents
from tests.candidates.conftest import database_snapshot

PUBLIC_ENDPOINTS = {
    "static",
    "auth.login",
    "auth.logout",
    "events.home",
    "events.event",
    "events.privacy",
    "events.set_language",
    "candidates.register",
    "candidates.confirmation",
    "candidates.manage",
    "candidates.ticket",
    "candidates.ticket_qr",
    "candidates.calendar",
    "candidates.cancel",
    "candidates.move",
    "candidates.personal_data",
    "candidates.personal_data_json",
    "candidates.correct",
    "candidates.erase",
    "candidates.erased",
    "candidates.cv",
    "candidates.cv_file",
    "candidates.remove_cv",
    "interviews.choose_employers",
    "interviews.book",
    "interviews.cancel_interview",
    "employers.about",
    "employers.participate",
    "employers.requested",
    "auth.employer_sign_in",
    "auth.employer_sign_in_code",
    "auth.employer_sign_in_link",
    "checkin.pair",
    "api.openapi",
    "checkin.service_worker",
    "checkin.employer_self_arrival",
}


def _methods(rule) -> list[str]:
    """Methods a client may send to a rule (OPTIONS is answered by Flask, not the view)."""
    return sorted(rule.methods - {"OPTIONS"})


@pytest.fixture
def world(app, make_event, details, make_user):
    """One of everything a URL may point to; returns {URL variable name: value}."""
    event = make_event()
    registration = services.register(event.id, details())
    services.upload_cv(registration.candidate, "cv.pdf", documents.pdf())
    device, _secret = devices.add_device(event)
    db.session.commit()
    user = make_user(Role.STAFF)
    message = db.session.scalars(select(OutboxMessage)).first()
    values = {
        "event_id": event.id,
        "tour_id": event.tour_id,
        "venue_id": event.venue_id,
        "registration_id": registration.id,
        "candidate_id": registration.candidate_id,
        "user_id": user.id,
        "message_id": message.id,
        "device_id": device.id,
        "token": registration.manage_token,
        "code": "fr",
        "filename": "css/site.css",
    }
    db.session.commit()
    return values


def build_url(app, rule, values: dict) -> str:
    arguments = {}
    for name in rule.arguments:
        if name in values:
            arguments[name] = values[name]
        else:  # a variable this test does not know yet: a plausible value for its type
            numeric = isinstance(rule._converters[name], NumberConverter)
            arguments[name] = 1 if numeric else "x"
    with app.test_request_context():
        return url_for(rule.endpoint, **arguments)


def non_public_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in PUBLIC_ENDPOINTS]


def declared_access(app, endpoint):
    return getattr(app.view_functions[endpoint], "access", None)


def test_the_public_endpoints_are_exactly_the_listed_ones(app):
    declared_public = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if getattr(view, "access", None) == PUBLIC
    }
    assert declared_public | {"static"} == PUBLIC_ENDPOINTS, (
        "A public endpoint was added or removed: update PUBLIC_ENDPOINTS on purpose."
    )


def test_every_endpoint_declares_who_may_use_it(app):
    undeclared = sorted(
        endpoint
        for endpoint in app.view_functions
        if endpoint != "static" and declared_access(app, endpoint) is None
    )
    assert undeclared == []


def test_anonymous_users_are_refused_everywhere_but_public_pages(app, client, world):
    rules = non_public_rules(app)
    assert len(rules) >= 5
    before = database_snapshot()
    checked = 0
    for rule in rules:
        url = build_url(app, rule, world)
        for method in _methods(rule):
            response = client.open(url, method=method)
            location = response.headers.get("Location", "")
            refused = response.status_code == 403 or (
                response.status_code == 302
                and location.startswith(("/connexion", "/espace-employeur/connexion"))
            )
            assert refused, (rule.endpoint, method, url, response.status_code, location)
            checked += 1
    assert checked >= len(rules)
    assert database_snapshot() == before


def test_public_pages_open_for_anonymous_users(app, client, world):
    for endpoint in sorted(PUBLIC_ENDPOINTS):
        for rule in app.url_map.iter_rules(endpoint):
            if "GET" not in rule.methods:
                continue
            url = build_url(app, rule, world)
            with client.get(url) as response:
                # 410: a sign-in link that is not (or no longer) valid.
                assert response.status_code in (200, 302, 410), (
                    endpoint,
                    url,
                    response.status_code,
                )
                assert not response.headers.get("Location", "").startswith("/connexion"), endpoint


#: A query string of raw bytes that are not UTF-8 (a latin-1 "é", then a lone 0xFF), as a
#: WSGI server hands it over (bytes as latin-1).
RAW_QUERY_STRING = "q=\xe9t\xe9&page=\xff&next=/\xe8"


def test_raw_bytes_in_the_query_string_never_break_a_page(app, client, world, staff_client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        visitor = client if rule.endpoint in PUBLIC_ENDPOINTS else staff_client
        url = build_url(app, rule, world)
        with visitor.get(url, environ_overrides={"QUERY_STRING": RAW_QUERY_STRING}) as response:
            assert response.status_code < 500, (rule.endpoint, url, response.status_code)
        checked += 1
    assert checked >= 50


def test_a_view_without_declared_access_is_refused_to_everyone(make_app, make_user):
    probe_app = make_app()
    probe_app.add_url_rule("/sonde-sans-acces", "undeclared", lambda: "secret")
    with probe_app.app_context():
        user = make_user(Role.ADMIN)
        email = user.email
        db.session.commit()
    anonymous = probe_app.test_client()
    assert anonymous.get("/sonde-sans-acces").status_code == 403
    admin = probe_app.test_client()
    signed_in = admin.post("/connexion", data={"email": email, "password": "motdepasse-solide"})
    assert signed_in.status_code == 302
    response = admin.get("/sonde-sans-acces")
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


@pytest.fixture
def admin_only_probe(app):
    """An admin-only page added before any request (proves the mechanism even if the app has
    no admin-only page)."""
    app.add_url_rule("/sonde-admin", "admin_probe", admin_required(lambda: "réservé"))
    return "/sonde-admin"


def admin_only_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if isinstance(declared_access(app, rule.endpoint), tuple)
        and Role.STAFF not in declared_access(app, rule.endpoint)
    ]


# The `app` fixture keeps one app context for the whole test, so `g` (where Flask-Login
# keeps the signed-in user) is shared by every client of a test: each test below signs in
# one user only.


def test_staff_cannot_reach_admin_only_pages(app, admin_only_probe, world, staff_client):
    rules = admin_only_rules(app)
    assert "admin_probe" in {rule.endpoint for rule in rules}
    before = database_snapshot()
    for rule in rules:
        url = build_url(app, rule, world)
        for method in _methods(rule):
            response = staff_client.open(url, method=method)
            assert response.status_code == 403, (rule.endpoint, method, url)
    assert database_snapshot() == before


def test_admins_open_the_admin_only_pages(app, admin_only_probe, world, admin_client):
    for rule in admin_only_rules(app):
        if "GET" in rule.methods:
            url = build_url(app, rule, world)
            assert admin_client.get(url).status_code == 200, (rule.endpoint, url)


def test_staff_open_every_staff_page_they_may_use(app, world, staff_client):
    for rule in non_public_rules(app):
        access = declared_access(app, rule.endpoint)
        if not isinstance(access, tuple) or Role.STAFF not in access or "GET" not in rule.methods:
            continue
        url = build_url(app, rule, world)
        response = staff_client.get(url)
        # A URL variable this test has no real value for may name nothing: 404 then.
        expected = (200, 302, 404) if set(rule.arguments) - set(world) else (200, 302)
        assert response.status_code in expected, (rule.endpoint, url, response.status_code)
        assert not response.headers.get("Location", "").startswith("/connexion")


# --- A candidate's link shows only that candidate's data --------------------------------


def token_page_rules(app, method="GET"):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/mon-inscription/<token>") and method in rule.methods
    ]


@pytest.fixture
def two_people(make_event, details):
    event = make_event(capacity=5)
    other_event = make_event(capacity=5, tour=event.tour)
    alice = services.register(
        event.id,
        details(
            last_name="Arnaud",
            first_name="Alice",
            email="alice.arnaud@exemple.fr",
            phone="+33611111111",
        ),
    )
    bruno = services.register(
        event.id,
        details(
            last_name="Quasimodo",
            first_name="Zébulon",
            email="zebulon.q@exemple.fr",
            phone="+33699887766",
        ),
    )
    services.upload_cv(alice.candidate, "CV Alice.pdf", documents.pdf() + b"% Alice Arnaud")
    services.upload_cv(bruno.candidate, "CV Zébulon.pdf", documents.pdf() + b"% Quasimodo")
    db.session.commit()
    return alice, bruno, other_event


def markers_of(registration) -> list[str]:
    candidate = registration.candidate
    return [
        candidate.last_name,
        candidate.first_name,
        candidate.email,
        candidate.phone,
        "06 99 88 77 66",
        registration.ticket_code,
        registration.display_code,
        registration.manage_token,
        "Zébulon.pdf",
    ]


def test_a_link_never_shows_another_persons_data(app, client, two_people):
    alice, bruno, _other_event = two_people
    bruno_markers = markers_of(bruno)
    alice_token = alice.manage_token
    for rule in token_page_rules(app):
        url = rule.rule.replace("<token>", alice_token)
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data().decode("utf-8", "replace")
        for text in (body, html.unescape(body)):
            for marker in bruno_markers:
                assert marker not in text, (url, marker)
    qr = client.get(f"/mon-inscription/{alice_token}/qr.svg")
    assert qr.data == qr_svg(alice.ticket_code).encode()
    assert qr.data != qr_svg(bruno.ticket_code).encode()
    personal = html.unescape(
        client.get(f"/mon-inscription/{alice_token}/mes-donnees").get_data(as_text=True)
    )
    assert "Arnaud" in personal and "alice.arnaud@exemple.fr" in personal


def test_actions_on_a_link_never_touch_another_person(client, two_people):
    alice, bruno, other_event = two_people
    bruno_id, bruno_token = bruno.id, bruno.manage_token
    bruno_before = markers_of(bruno)
    token = alice.manage_token
    assert (
        client.post(
            f"/mon-inscription/{token}/changer-d-etape", data={"event_id": other_event.id}
        ).status_code
        == 302
    )
    assert client.post(f"/mon-inscription/{token}/annuler").status_code == 302
    assert client.post(f"/mon-inscription/{token}/supprimer-mes-donnees").status_code == 302
    db.session.expire_all()
    assert alice.candidate.anonymised_at is not None
    assert bruno.id == bruno_id and markers_of(bruno) == bruno_before
    assert bruno.status == RegistrationStatus.CONFIRMED
    assert bruno.candidate.anonymised_at is None
    page = client.get(f"/mon-inscription/{bruno_token}")
    assert page.status_code == 200 and "Quasimodo" in page.get_data(as_text=True)


def test_a_tablet_opens_nothing_but_the_check_in_of_its_own_etape(app, world, make_event):
    """Paired for another étape, a tablet is refused everywhere but public pages; paired
    for the world's étape, it opens its check-in pages and nothing of the back-office."""
    from app.checkin.permissions import DEVICE_OR_STAFF

    def paired_client(event):
        _device, secret = devices.add_device(event)
        _device, token = devices.pair(secret)
        db.session.commit()
        client = app.test_client()
        client.set_cookie(devices.COOKIE_NAME, token, domain="localhost")
        return client

    elsewhere = paired_client(make_event())
    before = database_snapshot()
    for rule in non_public_rules(app):
        url = build_url(app, rule, world)
        for method in _methods(rule):
            response = elsewhere.open(url, method=method)
            location = response.headers.get("Location", "")
            assert response.status_code == 403 or (
                response.status_code == 302
                and location.startswith(("/connexion", "/espace-employeur/connexion"))
            ), (rule.endpoint, method, url, response.status_code)
    assert database_snapshot() == before
    here = paired_client(db.session.get(Event, world["event_id"]))
    opened = set()
    for rule in non_public_rules(app):
        if "GET" not in rule.methods:
            continue
        url = build_url(app, rule, world)
        response = here.get(url)
        if declared_access(app, rule.endpoint) == DEVICE_OR_STAFF:
            assert response.status_code in (200, 404), (rule.endpoint, url, response.status_code)
            opened.add(rule.endpoint)
        else:
            assert response.status_code in (302, 403), (rule.endpoint, url, response.status_code)
    assert {"checkin.desk", "checkin.board", "api.status"} <= opened
