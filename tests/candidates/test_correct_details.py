from app.candidates import services
from app.extensions import db


def test_person_corrects_their_details_from_their_link(client, make_event, details):
    event = make_event()
    registration = services.register(event.id, details(email="old@exemple.fr"))
    db.session.commit()
    url = f"/mon-inscription/{registration.manage_token}/corriger-mes-donnees"
    page = client.get(url)
    assert page.status_code == 200 and "old@exemple.fr" in page.get_data(as_text=True)
    response = client.post(
        url,
        data={
            "last_name": "Martin-Leroy",
            "first_name": "Sylvie",
            "email": "nouvelle@exemple.fr",
            "phone": "03 20 12 34 56",
            "postcode": "59100",
            "domains": ["H"],
        },
    )
    assert response.status_code == 302
    db.session.refresh(registration.candidate)
    candidate = registration.candidate
    assert (
        candidate.last_name,
        candidate.email,
        candidate.phone,
        candidate.postcode,
        candidate.domains,
    ) == (
        "Martin-Leroy",
        "nouvelle@exemple.fr",
        "+33320123456",
        "59100",
        ["H"],
    )


def test_correction_with_bad_input_writes_nothing(client, make_event, details):
    event = make_event()
    registration = services.register(event.id, details(email="old@exemple.fr"))
    db.session.commit()
    url = f"/mon-inscription/{registration.manage_token}/corriger-mes-donnees"
    response = client.post(
        url,
        data={
            "last_name": "",
            "first_name": "Sylvie",
            "email": "",
            "phone": "12",
            "postcode": "59",
        },
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'href="#last_name"' in body and 'href="#phone"' in body and 'href="#postcode"' in body
    db.session.refresh(registration.candidate)
    assert registration.candidate.email == "old@exemple.fr"
