"""The JSON API: check-in by code or by registration, the answers and their HTTP status,
idempotent nonces, undo, status and search, who may call it, and the API fuzzed against its
own OpenAPI document (no 500, every answer as documented). SQLite and PostgreSQL."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import func, select

from app.checkin import devices
from app.checkin.models import CheckIn
from app.checkin.openapi import openapi_document
from app.extensions import db

JSON = {"Content-Type": "application/json"}


def tablet_client(app, token):
    client = app.test_client()
    client.set_cookie(devices.COOKIE_NAME, token, domain="localhost")
    return client


def post(client, event, body):
    return client.post(f"/api/v1/events/{event.id}/check-ins", json=body)


def test_check_in_by_code_then_already_then_undo(app, day, make_device):
    event, (sylvie, *_others) = day
    device, token = make_device(event)
    tablet = tablet_client(app, token)
    response = post(tablet, event, {"code": sylvie.ticket_code, "nonce": "api-nonce-0001"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["result"] == "checked_in" and body["message"] == "Bienvenue Sylvie Martin"
    assert body["check_in"]["device"] == device.name and body["replayed"] is False
    # The same request again: the first answer, replayed, nothing written.
    replay = post(tablet, event, {"code": sylvie.ticket_code, "nonce": "api-nonce-0001"})
    assert replay.status_code == 201 and replay.get_json()["replayed"] is True
    again = post(tablet, event, {"code": sylvie.ticket_code, "nonce": "api-nonce-0002"})
    assert again.status_code == 200 and again.get_json()["result"] == "already_checked_in"
    assert "Déjà enregistré(e) à" in again.get_json()["message"]
    status = tablet.get(f"/api/v1/events/{event.id}/status").get_json()
    assert (status["expected"], status["arrived"]) == (3, 1)
    assert status["recent"][0]["person"]["last_name"] == "Martin"
    undo = tablet.delete(f"/api/v1/events/{event.id}/check-ins/{body['check_in']['id']}")
    assert undo.status_code == 200 and undo.get_json()["result"] == "undone"
    assert db.session.scalar(select(func.count(CheckIn.id))) == 0
    gone = tablet.delete(f"/api/v1/events/{event.id}/check-ins/{body['check_in']['id']}")
    assert gone.status_code == 409 and gone.get_json()["error"]["code"] == "not_checked_in"


def test_check_in_a_person_found_by_search(app, staff_client, day):
    event, (_sylvie, helene, _jean) = day
    found = staff_client.get(f"/api/v1/events/{event.id}/search?q=lefevre").get_json()
    assert [p["registration_id"] for p in found["people"]] == [helene.id]
    assert found["people"][0]["check_in"] is None
    response = post(staff_client, event, {"registration_id": helene.id, "nonce": "search-0001"})
    assert response.status_code == 201
    assert response.get_json()["check_in"]["method"] == "search"
    found = staff_client.get(f"/api/v1/events/{event.id}/search?q=lefevre").get_json()
    assert found["people"][0]["check_in"]["method"] == "search"


def test_a_search_sent_as_raw_bytes_is_read_as_a_browser_would(staff_client, day):
    """A query string of raw bytes, not percent-encoded (old clients and scripts send them):
    UTF-8 reads as UTF-8; other bytes (a latin-1 "è") find nobody, and are not a 500."""
    event, (_sylvie, helene, _jean) = day
    path = f"/api/v1/events/{event.id}/search"
    as_wsgi = "q=Lefèvre".encode().decode("latin-1")  # WSGI carries bytes as latin-1
    utf8 = staff_client.get(path, environ_overrides={"QUERY_STRING": as_wsgi})
    assert [p["registration_id"] for p in utf8.get_json()["people"]] == [helene.id]
    latin1 = staff_client.get(path, environ_overrides={"QUERY_STRING": "q=Lef\xe8vre"})
    assert latin1.status_code == 200 and latin1.get_json()["people"] == []


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"code": "ZZZZ-ZZZZ", "nonce": "bad-input-01"}, 404, "unknown_code"),
        ({"code": "???", "nonce": "bad-input-02"}, 422, "invalid_code"),
        ({"code": "7K3MQ9ZP", "nonce": "x"}, 422, "invalid_nonce"),
        ({"code": "7K3MQ9ZP", "nonce": ""}, 422, "invalid_nonce"),
        ({"code": "7K3MQ9ZP"}, 400, "invalid_request"),
        ({"code": 12345678, "nonce": "bad-input-03"}, 400, "invalid_request"),
        ({"nonce": "bad-input-04"}, 400, "invalid_request"),
        (
            {"code": "7K3MQ9ZP", "registration_id": 1, "nonce": "bad-input-05"},
            400,
            "invalid_request",
        ),
        ({"registration_id": True, "nonce": "bad-input-06"}, 400, "invalid_request"),
        (
            {"code": "7K3MQ9ZP", "nonce": "bad-input-07", "scanned_at": "hier"},
            400,
            "invalid_request",
        ),
        (
            {"code": "7K3MQ9ZP", "nonce": "bad-input-08", "method": "télépathie"},
            400,
            "invalid_request",
        ),
        ({"code": "7K3MQ9ZP", "nonce": "bad-input-09", "offline": "yes"}, 400, "invalid_request"),
        ([1, 2, 3], 400, "invalid_request"),
    ],
)
def test_bad_requests_get_a_4xx_with_a_code(app, staff_client, day, body, status, code):
    event, _people = day
    response = post(staff_client, event, body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count(CheckIn.id))) == 0


def test_a_body_that_is_not_json_is_refused(app, staff_client, day):
    event, (sylvie, *_others) = day
    response = staff_client.post(
        f"/api/v1/events/{event.id}/check-ins",
        data={"code": sylvie.ticket_code, "nonce": "form-nonce-01"},
    )
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"
    broken = staff_client.post(
        f"/api/v1/events/{event.id}/check-ins", data="{not json", headers=JSON
    )
    assert broken.status_code == 400 and broken.get_json()["error"]["code"] == "invalid_request"
    # Arrays nested too deep for Python's parser to follow.
    deep = staff_client.post(f"/api/v1/events/{event.id}/check-ins", data="[" * 5000, headers=JSON)
    assert deep.status_code == 400 and deep.get_json()["error"]["code"] == "invalid_request"


def test_who_may_call_the_api(app, day, make_event, make_device, make_registration):
    event, (sylvie, *_others) = day
    other = make_event(days_ahead=0, closes_before=0)
    visitor = make_registration(other)
    _device, token = make_device(event)
    tablet = tablet_client(app, token)
    anonymous = app.test_client()
    for client, url in (
        (anonymous, f"/api/v1/events/{event.id}/status"),
        (tablet, f"/api/v1/events/{other.id}/status"),
        (tablet, f"/api/v1/events/{other.id}/search?q=martin"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.get_json()["error"]["code"] == "http_403"
    assert (
        post(anonymous, event, {"code": sylvie.ticket_code, "nonce": "who-0001"}).status_code == 403
    )
    assert (
        post(tablet, other, {"code": visitor.ticket_code, "nonce": "who-0002"}).status_code == 403
    )
    # Its own étape's tablet, with a ticket of the other étape: refused by the rules.
    response = post(tablet, event, {"code": visitor.ticket_code, "nonce": "who-0003"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "other_event"
    assert db.session.scalar(select(func.count(CheckIn.id))) == 0
    assert anonymous.get("/api/v1/openapi.json").status_code == 200


# --- Fuzzing against the OpenAPI document --------------------------------------------------


@pytest.fixture
def tablet_cookie(day, make_device):
    """A paired tablet's cookie, sent with every generated call."""
    event, _people = day
    _device, token = make_device(event)
    return {devices.COOKIE_NAME: token}


# Built from the document the app serves (`test_the_served_document_is_this_one`).
schema = schemathesis.openapi.from_dict(openapi_document())


def test_the_served_document_is_this_one(app, client):
    assert client.get("/api/v1/openapi.json").get_json() == openapi_document()


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_to_its_openapi_document(case, app, tablet_cookie):
    case.call_and_validate(app=app, cookies=tablet_cookie)
