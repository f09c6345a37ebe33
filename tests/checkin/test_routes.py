"""The tablet pages over HTTP: pairing from the back-office's QR link, the three ways in
(scanner field, typed code, search), the answers on screen, the undo, and what a tablet
may open (its own étape only, until revoked)."""

import html
import re

from sqlalchemy import func, select

from app.checkin import devices
from app.checkin.models import CheckIn, CheckInAttempt
from app.extensions import db
from tests.pages import read_page


def html_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def text_of(response) -> str:
    """The page's words, without tags, on one line."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html_of(response), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def pair_tablet(app, admin_client, event):
    """An admin adds a tablet; a new client opens the QR link and pairs: the tablet."""
    response = admin_client.post(f"/admin/etapes/{event.id}/tablettes/ajouter")
    assert response.status_code == 302
    page = html_of(admin_client.get(response.headers["Location"]))
    link = re.search(r'href="(http://localhost/accueil/appairer/[^"]+)"', page).group(1)
    tablet = app.test_client()
    confirm = tablet.get(link)
    assert confirm.status_code == 200 and "Tablette 1" in text_of(confirm)
    paired = tablet.post(link)
    assert paired.status_code == 302
    assert paired.headers["Location"] == f"/accueil/etapes/{event.id}"
    cookie = paired.headers["Set-Cookie"]
    assert devices.COOKIE_NAME in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # The link works once.
    assert app.test_client().get(link).status_code == 410
    return tablet, link


def scan(client, event, code, nonce="nonce-route-0001"):
    return client.post(f"/accueil/etapes/{event.id}/code", data={"code": code, "nonce": nonce})


def test_a_paired_tablet_checks_people_in_at_its_etape(app, admin_client, day):
    event, (sylvie, *_others) = day
    tablet, _link = pair_tablet(app, admin_client, event)
    desk = tablet.get(f"/accueil/etapes/{event.id}")
    assert desk.status_code == 200
    assert "Arrivées : 0 sur 3 attendues" in text_of(desk)
    welcome = scan(tablet, event, sylvie.ticket_code)
    assert welcome.status_code == 200
    assert "Bienvenue Sylvie Martin" in text_of(welcome)
    assert "Arrivées : 1 sur 3 attendues" in text_of(welcome)
    # Reloading the answer (the same nonce) changes nothing; a new scan says "déjà".
    assert "Bienvenue Sylvie Martin" in text_of(scan(tablet, event, sylvie.ticket_code))
    again = scan(tablet, event, sylvie.ticket_code, nonce="nonce-route-0002")
    assert again.status_code == 200
    assert re.search(r"Déjà enregistré\(e\) à \d+\sh(\s\d\d)? \(Tablette 1\)", text_of(again))
    assert db.session.scalar(select(func.count(CheckIn.id))) == 1
    check_in = db.session.scalars(select(CheckIn)).one()
    assert check_in.device.name == "Tablette 1"


def test_refusals_fill_the_screen_in_red_with_a_4xx(
    app, staff_client, day, make_event, make_registration
):
    event, _people = day
    stranger = make_registration(make_event(town="Roubaix"))
    cases = [
        ("n'importe quoi", 422, "Ce n'est pas un code de billet"),
        ("ZZZZ-ZZZZ", 404, "Code inconnu"),
        (stranger.ticket_code, 409, "Inscrit(e) à une autre étape : Roubaix"),
        ("", 422, "Scannez le billet ou tapez son code"),
    ]
    for index, (code, status, words) in enumerate(cases):
        response = scan(staff_client, event, code, nonce=f"refused-{index:04d}")
        assert response.status_code == status, (code, response.status_code)
        assert words in text_of(response), code
    assert db.session.scalar(select(func.count(CheckIn.id))) == 0
    assert (
        db.session.scalar(select(func.count(CheckInAttempt.id))) == 3
    )  # the empty one is a form error


def test_search_then_confirm_from_the_list(app, staff_client, day):
    event, (_sylvie, helene, _jean) = day
    found = staff_client.get(f"/accueil/etapes/{event.id}/recherche", query_string={"q": "lefevre"})
    assert found.status_code == 200
    page = text_of(found)
    assert "1 personne trouvée" in page and "LEFÈVRE Hélène" in page and "SYLVIE" not in page
    assert "Arrivées : 0 sur 3 attendues" in page  # the count on every page of the door
    walk_in = text_of(staff_client.get(f"/accueil/etapes/{event.id}/sur-place"))
    assert "Arrivées : 0 sur 3 attendues" in walk_in
    nonce = read_page(found.get_data(as_text=True)).hidden["nonce"]
    response = staff_client.post(
        f"/accueil/etapes/{event.id}/personnes/{helene.id}", data={"nonce": nonce}
    )
    assert response.status_code == 200 and "Bienvenue Hélène Lefèvre" in text_of(response)
    listed = text_of(
        staff_client.get(f"/accueil/etapes/{event.id}/recherche", query_string={"q": "hélène"})
    )
    assert "Déjà enregistré(e) à" in listed and "Enregistrer l'arrivée" not in listed
    nothing = text_of(staff_client.get(f"/accueil/etapes/{event.id}/recherche?q=Zorglub"))
    assert "Personne ne correspond à « Zorglub »" in nothing


def test_undo_from_the_answer(app, staff_client, day):
    event, (sylvie, *_others) = day
    welcome = scan(staff_client, event, sylvie.ticket_code)
    action = re.search(r'action="(/accueil/etapes/\d+/annuler/\d+)"', html_of(welcome)).group(1)
    undone = staff_client.post(action)
    assert undone.status_code == 302
    assert "n'est plus compté(e) parmi les arrivées" in text_of(
        staff_client.get(undone.headers["Location"])
    )
    assert db.session.scalar(select(func.count(CheckIn.id))) == 0
    again = staff_client.post(action)
    assert "déjà été annulé" in text_of(staff_client.get(again.headers["Location"]))


def test_a_tablet_opens_its_own_etape_only_until_revoked(
    app, admin_client, day, make_event, make_registration
):
    event, (sylvie, *_others) = day
    other = make_event(days_ahead=0, closes_before=0)
    visitor = make_registration(other)
    tablet, _link = pair_tablet(app, admin_client, event)
    assert tablet.get(f"/accueil/etapes/{other.id}").status_code == 403
    assert scan(tablet, other, visitor.ticket_code).status_code == 403
    assert tablet.get(f"/accueil/etapes/{other.id}/recherche?q=martin").status_code == 403
    # Nor the back-office.
    assert tablet.get(f"/admin/etapes/{event.id}/tablettes").status_code == 302
    device = db.session.scalars(select(devices.CheckInDevice)).one()
    response = admin_client.post(f"/admin/etapes/{event.id}/tablettes/{device.id}/retirer")
    assert response.status_code == 302
    db.session.expire_all()
    refused = tablet.get(f"/accueil/etapes/{event.id}")
    assert refused.status_code == 403 and "Cette tablette a été retirée" in text_of(refused)
    assert scan(tablet, event, sylvie.ticket_code).status_code == 403
    assert db.session.scalar(select(func.count(CheckIn.id))) == 0


def test_an_expired_or_forged_pairing_link_says_what_to_do(app, admin_client, day):
    event, _people = day
    forged = app.test_client().get("/accueil/appairer/" + "A" * 32)
    assert forged.status_code == 410 and "Demandez un nouveau code" in text_of(forged)
    _tablet, link = pair_tablet(app, admin_client, event)
    used = app.test_client().post(link)
    assert used.status_code == 410 and "déjà servi" in text_of(used)


def test_staff_see_the_tablets_and_the_log(app, admin_client, staff_client, day):
    event, (sylvie, *_others) = day
    tablet, _link = pair_tablet(app, admin_client, event)
    scan(tablet, event, sylvie.ticket_code)
    scan(tablet, event, "ZZZZ-ZZZZ", nonce="nonce-route-0009")
    page = text_of(staff_client.get(f"/admin/etapes/{event.id}/tablettes"))
    assert "Tablette 1" in page and "Appairée le" in page
    assert "Entrée enregistrée" in page and "Code inconnu" in page
    assert "Ajouter une tablette" not in page  # staff see, admins add and revoke
    assert staff_client.post(f"/admin/etapes/{event.id}/tablettes/ajouter").status_code == 403


def test_a_late_offline_duplicate_is_shown_as_a_conflict(app, admin_client, day, make_device):
    event, (sylvie, *_others) = day
    _device, token = make_device(event)
    tablet = app.test_client()
    tablet.set_cookie(devices.COOKIE_NAME, token, domain="localhost")
    # The door let her in; a second tablet, offline, scanned her too and sends it later.
    first = tablet.post(
        f"/api/v1/events/{event.id}/check-ins",
        json={"code": sylvie.ticket_code, "nonce": "door-000001"},
    )
    assert first.status_code == 201
    late = tablet.post(
        f"/api/v1/events/{event.id}/check-ins",
        json={
            "code": sylvie.ticket_code,
            "nonce": "queue-000001",
            "offline": True,
            "scanned_at": "2020-01-01T09:00:00+01:00",  # implausible: the server's time is kept
        },
    )
    assert late.status_code == 200 and late.get_json()["result"] == "already_checked_in"
    page = text_of(admin_client.get(f"/admin/etapes/{event.id}/tablettes"))
    conflicts = page[page.index("Conflits hors connexion") : page.index("Journal des lectures")]
    assert "Sylvie Martin (Tablette 1)" in conflicts and "Aucun conflit" not in conflicts
    assert db.session.scalar(select(func.count(CheckIn.id))) == 1


def test_staff_check_someone_in_from_the_registration_page(app, staff_client, day):
    event, (sylvie, *_others) = day
    page = html_of(staff_client.get(f"/admin/inscriptions/{sylvie.id}"))
    action = f"/admin/etapes/{event.id}/inscriptions/{sylvie.id}/arrivee"
    assert f'action="{action}"' in page
    response = staff_client.post(action)
    assert response.status_code == 302
    assert "Arrivée enregistrée : Sylvie Martin." in text_of(
        staff_client.get(response.headers["Location"])
    )
    again = staff_client.post(action)
    assert "Déjà enregistré(e) à" in text_of(staff_client.get(again.headers["Location"]))
    (check_in,) = db.session.scalars(select(CheckIn)).all()
    assert check_in.method.value == "back_office" and check_in.user_id is not None
