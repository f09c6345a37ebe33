"""The day at the door, in Chromium with axe audits: an admin pairs a tablet with the QR
link, a volunteer checks people in by typed code and by name, scans while the network is
down and sees them sent when it is back; and a ticket's QR code is read by the camera
(Chromium's fake camera fed a video of the ticket)."""

import io
import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.e2e.browsing import (
    audit,
    expect_refusals,
    follow,
    screenshots,
    submit,
    visit,
    watch_console,
)
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.interviews.conftest import establishment_details, participation_details

pytestmark = pytest.mark.e2e

TABLET = {"width": 800, "height": 1280}
PEOPLE = [("Martine", "Lefebvre"), ("Fatima", "Benali"), ("Gérard", "Vasseur")]


def etape_of_the_day(
    live_server,
    details,
    staff_email,
    hours=(time(9), time(12)),
    employer_hours=(time(9), time(10)),
    offers=None,
):
    """An étape today with three confirmed people and one employer (two tables); Martine
    has an interview in the employer's second round. Returns (event id, town, {first
    name: ticket code})."""
    from app.auth.models import User
    from app.candidates.models import Registration, RegistrationSource
    from app.candidates.services import register
    from app.employers import services as employers
    from app.events.models import Event, EventStatus, Venue, today_in_paris
    from app.extensions import db
    from app.interviews.models import InterviewSource, Slot
    from app.interviews.services import booking, slots

    with live_server.app.app_context():
        staff = db.session.scalar(select(User).where(User.email == staff_email))
        venue = db.session.scalars(select(Venue).order_by(Venue.id)).first()
        tour = db.session.scalars(select(Event).order_by(Event.date.desc())).first().tour
        today = today_in_paris()
        event = Event(
            tour=tour,
            venue=venue,
            date=today,
            starts_at=hours[0],
            ends_at=hours[1],
            capacity=50,
            registration_opens_on=today - timedelta(days=20),
            registration_closes_on=today - timedelta(days=1),
            status=EventStatus.PUBLISHED,
        )
        db.session.add(event)
        db.session.flush()
        codes = {}
        for first, last in PEOPLE:
            registration = register(
                event.id,
                details(first_name=first, last_name=last),
                source=RegistrationSource.PHONE,
                notify=False,
            )
            codes[first] = registration.ticket_code
        establishment = employers.save_establishment(
            establishment_details(company_name="Clinique des Weppes", name="Clinique des Weppes")
        )
        extra = {"offers": offers} if offers else {}
        (participation,) = employers.request_participation(
            [event.id],
            establishment,
            participation_details(
                tables=2, starts_at=employer_hours[0], ends_at=employer_hours[1], **extra
            ),
        )
        slots.accept(participation, staff)
        second_round = sorted({s.starts_at for s in participation_slots(participation)})[1]
        martine = db.session.scalars(
            select(Slot)
            .where(Slot.participation_id == participation.id, Slot.starts_at == second_round)
            .order_by(Slot.table_number)
        ).first()
        registration_id = db.session.scalar(
            select(Registration.id).where(Registration.ticket_code == codes["Martine"])
        )
        booking.book(registration_id, martine.id, source=InterviewSource.STAFF, notify=False)
        db.session.commit()
        return event.id, venue.town, codes


def participation_slots(participation):
    from app.extensions import db
    from app.interviews.models import Slot

    return db.session.scalars(select(Slot).where(Slot.participation_id == participation.id))


@pytest.fixture
def admin_account(live_server):
    from app.auth.models import Role
    from app.auth.services import create_user
    from app.extensions import db

    with live_server.app.app_context():
        user = create_user(
            "admin.accueil@asso.example", "Admin Accueil", "admin-e2e-solide", Role.ADMIN
        )
        db.session.commit()
        return user.email, "admin-e2e-solide"


def sign_in(page, live_server, email, password):
    visit(page, live_server("/connexion"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    submit(page, page.get_by_role("button", name="Se connecter"))


def pairing_link(page, live_server, account, event_id) -> str:
    """The admin adds a tablet and reads its pairing link (shown with the QR code)."""
    sign_in(page, live_server, *account)
    visit(page, live_server(f"/admin/etapes/{event_id}/tablettes"))
    submit(page, page.get_by_role("button", name="Ajouter une tablette"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Appairer Tablette 1")
    expect(page.get_by_role("img", name=re.compile("Code QR d'appairage"))).to_be_visible()
    return page.locator("a.pairing-link").get_attribute("href")


def check_ins(live_server) -> list[tuple[str, bool]]:
    from app.checkin.models import CheckIn, CheckInAttempt
    from app.extensions import db

    with live_server.app.app_context():
        rows = db.session.execute(
            select(CheckIn.method, func.count()).group_by(CheckIn.method)
        ).all()
        offline = db.session.scalar(
            select(func.count(CheckInAttempt.id)).where(CheckInAttempt.offline.is_(True))
        )
        return sorted((method.value, n) for method, n in rows), offline


def test_a_volunteer_runs_the_door_from_a_paired_tablet(
    live_server, new_page, admin_account, details
):
    event_id, town, codes = etape_of_the_day(live_server, details, admin_account[0])
    office = new_page(DESKTOP)
    link = pairing_link(office, live_server, admin_account, event_id)

    tablet = new_page(TABLET)
    visit(tablet, link)
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Appairer cette tablette")
    submit(tablet, tablet.get_by_role("button", name="Appairer cette tablette"))
    expect(tablet.get_by_role("heading", level=1)).to_have_text(f"Accueil — {town}")
    expect(tablet.get_by_text("Tablette 1", exact=False).first).to_be_visible()
    code_field = tablet.get_by_label("Code du billet")
    expect_refusals(tablet, "/api/v1/")  # a forged code gets its 404, as it should

    # A code typed as on paper (lower case, a space): the answer fills the screen.
    martine = codes["Martine"]
    code_field.fill(f"{martine[:4].lower()} {martine[4:].lower()}")
    code_field.press("Enter")
    answer = tablet.get_by_role("alert")
    expect(answer).to_contain_text("Bienvenue Martine Lefebvre")
    expect(answer).to_contain_text("9 h 20")
    expect(answer).to_contain_text("Clinique des Weppes")
    expect(tablet.locator("#desk-arrived")).to_have_text("1")
    expect(tablet.get_by_role("list").filter(has_text="Martine Lefebvre")).to_be_visible()
    expect(code_field).to_be_focused()  # the scanner's next read goes in
    audit(tablet)
    screenshots(tablet, "checkin-welcome", widths=(800, 1280))

    # The same ticket again: orange, with the time and the tablet.
    code_field.fill(martine)
    code_field.press("Enter")
    expect(answer).to_contain_text(
        re.compile(r"Déjà enregistré\(e\) à \d+\sh(\s\d\d)? \(Tablette 1\)")
    )
    # A forged code: red, with what to do and what was read.
    code_field.fill("ZZZZ-ZZZZ")
    code_field.press("Enter")
    expect(answer).to_contain_text("Code inconnu")
    expect(answer).to_contain_text("Code lu : « ZZZZ-ZZZZ »")
    audit(tablet)
    # In landscape, the answer is scrolled into view; the field keeps the focus.
    tablet.set_viewport_size({"width": 1024, "height": 768})
    code_field.fill(martine)
    code_field.press("Enter")
    expect(answer).to_contain_text("Déjà enregistré(e)")
    expect(answer).to_be_in_viewport(ratio=0.9)
    expect(code_field).to_be_focused()
    tablet.set_viewport_size(TABLET)

    # Fatima forgot her ticket: found by name, confirmed from the list.
    tablet.get_by_label("Nom, téléphone ou code").fill("benali")
    follow(tablet, tablet.get_by_role("button", name="Chercher"))
    expect(tablet.get_by_role("heading", name="1 personne trouvée")).to_be_visible()
    screenshots(tablet, "checkin-search", widths=(390, 800))
    submit(tablet, tablet.get_by_role("button", name=re.compile("Enregistrer l'arrivée")))
    expect(tablet.get_by_role("alert")).to_contain_text("Bienvenue Fatima Benali")
    # The answer page takes the arrivals page's address (a reload sends nothing again).
    desk = live_server(f"/accueil/etapes/{event_id}")
    expect(tablet).to_have_url(desk)
    expect(tablet.get_by_label("Code du billet")).to_be_focused()

    # The Wi-Fi drops: Gérard's scan is kept, then sent when the network is back.
    tablet.context.set_offline(True)
    code_field = tablet.get_by_label("Code du billet")
    code_field.fill(codes["Gérard"])
    code_field.press("Enter")
    expect(tablet.get_by_role("alert")).to_contain_text("Hors connexion : lecture gardée")
    status = tablet.locator("#desk-connection")
    expect(status).to_have_text("Hors connexion — 1 en attente")
    # What is no ticket code is refused at once, offline too; a code read twice is said so.
    code_field.fill("HELLO!!")
    code_field.press("Enter")
    expect(tablet.get_by_role("alert")).to_contain_text("Ce n'est pas un code de billet")
    code_field.fill(codes["Gérard"].lower())
    code_field.press("Enter")
    expect(tablet.get_by_role("alert")).to_contain_text("Déjà lu hors connexion à")
    # Martine came in earlier: the server will say so when the scan is sent.
    code_field.fill(martine)
    code_field.press("Enter")
    expect(status).to_have_text("Hors connexion — 2 en attente")
    audit(tablet)
    screenshots(tablet, "checkin-offline", widths=(800,))
    tablet.context.set_offline(False)
    expect(status).to_be_hidden(timeout=20_000)
    expect(tablet.locator("#desk-arrived")).to_have_text("3")
    checked = tablet.locator("#offline-checked")
    expect(checked).to_contain_text("Lectures faites hors connexion : 1 à vérifier")
    expect(checked).to_contain_text("Martine Lefebvre : Déjà enregistré(e)")
    audit(tablet)
    checked.get_by_role("button", name="C'est vu").click()
    expect(checked).to_be_hidden()
    assert check_ins(live_server) == ([("scanner", 2), ("search", 1)], 2)

    # Reloading while offline still shows the page (the service worker kept it).
    tablet.goto(desk)
    tablet.wait_for_function(
        "() => navigator.serviceWorker.controller"
        " && caches.match(location.pathname).then(hit => !!hit)"
    )
    tablet.wait_for_load_state("networkidle")  # the figures' first poll answered
    tablet.context.set_offline(True)
    tablet.goto(desk)
    expect(tablet.get_by_role("heading", level=1)).to_have_text(f"Accueil — {town}")
    expect(status).to_have_text("Hors connexion — 0 en attente")
    # The pages that need the network say so, with the way back to the arrivals.
    tablet.goto(live_server(f"/accueil/etapes/{event_id}/recherche?q=vasseur"))
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Hors connexion")
    audit(tablet)
    tablet.get_by_role("link", name="Retour aux arrivées").click()
    expect(tablet.get_by_role("heading", level=1)).to_have_text(f"Accueil — {town}")
    tablet.context.set_offline(False)

    # The coordinator sees the tablet and the log.
    visit(office, live_server(f"/admin/etapes/{event_id}/tablettes"))
    tablets = office.get_by_role("table", name="Tablettes de l'étape")
    expect(tablets.get_by_role("row", name=re.compile("^Tablette 1"))).to_contain_text(
        "Appairée le"
    )
    log = office.get_by_role("table", name="Les 50 dernières lectures")
    expect(log.get_by_role("row", name=re.compile("ZZZZ-ZZZZ"))).to_contain_text("Code inconnu")


def ticket_video(path, code: str) -> None:
    """A few seconds of Y4M video (what Chromium's fake camera plays) showing the ticket's
    QR code on a white page, as a tablet's camera would see it."""
    from PIL import Image

    from app.notifications.qr import qr_png

    width, height = 640, 480
    qr = Image.open(io.BytesIO(qr_png(code, box_size=9))).convert("L")
    frame = Image.new("L", (width, height), 255)
    frame.paste(qr, ((width - qr.width) // 2, (height - qr.height) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (width * height // 4)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(20):
            video.write(b"FRAME\n" + luma + chroma + chroma)


def test_the_camera_reads_a_ticket(
    live_server, admin_account, details, tmp_path, new_page, browser
):
    event_id, _town, codes = etape_of_the_day(live_server, details, admin_account[0])
    office = new_page(DESKTOP)
    link = pairing_link(office, live_server, admin_account, event_id)
    video = tmp_path / "ticket.y4m"
    ticket_video(video, codes["Gérard"])
    # A second Chromium, whose fake camera plays the ticket.
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera_browser.new_context(viewport=TABLET, has_touch=True, locale="fr-FR")
        context.grant_permissions(["camera"], origin=live_server.url)
        tablet = context.new_page()
        watch_console(tablet)
        visit(tablet, link)
        submit(tablet, tablet.get_by_role("button", name="Appairer cette tablette"))
        tablet.get_by_role("button", name="Scanner avec la caméra").tap()
        expect(tablet.get_by_role("alert")).to_contain_text(
            "Bienvenue Gérard Vasseur", timeout=20_000
        )
        expect(tablet.get_by_role("button", name="Arrêter la caméra")).to_be_visible()
        audit(tablet)
        screenshots(tablet, "checkin-camera", widths=(800,))
    finally:
        camera_browser.close()
    assert check_ins(live_server)[0] == [("camera", 1)]


def test_a_walk_in_gets_a_free_table_and_the_board_follows(
    live_server, new_page, staff_account, details
):
    from datetime import datetime

    from app.employers.models import ContractType
    from app.employers.services import OfferDetails
    from app.events.models import PARIS

    now = datetime.now(PARIS)
    if not 1 <= now.hour < 22:
        pytest.skip("the interview grid is built around the current time, within the day")
    # A grid of 20-minute rounds around now: an employer receives from the round that began
    # last until an hour later, so that its next round is free in the coming 20 minutes.
    minutes = now.hour * 60 + now.minute
    base = minutes - minutes % 20
    clock = lambda m: time(m // 60, m % 60)  # noqa: E731
    event_id, _town, codes = etape_of_the_day(
        live_server,
        details,
        staff_account[0],
        hours=(clock(base - 40), clock(base + 80)),
        employer_hours=(clock(base), clock(base + 60)),
        offers=[OfferDetails(title="Cariste", contract_type=ContractType.CDI, rome_domain="N")],
    )
    office = new_page(DESKTOP)
    sign_in(office, live_server, *staff_account)
    visit(office, live_server(f"/accueil/etapes/{event_id}/tableau"))
    figures = office.locator(".board-figures")
    expect(figures.locator("[data-field=arrived]")).to_have_text("0")

    tablet = new_page(TABLET)
    sign_in(tablet, live_server, *staff_account)
    visit(tablet, live_server(f"/accueil/etapes/{event_id}"))
    follow(tablet, tablet.get_by_role("link", name="Employeurs attendus"))
    submit(tablet, tablet.get_by_role("button", name=re.compile("^Arrivé")))
    expect(tablet.get_by_role("status").first).to_contain_text("Clinique des Weppes est arrivé")
    screenshots(tablet, "checkin-employers", widths=(800,))

    follow(tablet, tablet.get_by_role("link", name="Inscrire sur place"))
    submit(
        tablet, tablet.get_by_role("button", name="Inscrire et enregistrer l'arrivée"), status=422
    )
    expect(tablet.get_by_role("alert").first).to_contain_text("Écrivez votre nom")
    screenshots(tablet, "checkin-walk-in-errors", widths=(390, 800))
    tablet.get_by_label(re.compile("^Nom")).fill("Delcourt")
    tablet.get_by_label(re.compile("^Prénom")).fill("Bernard")
    tablet.get_by_label(re.compile("^Téléphone")).fill("06 45 12 78 90")
    tablet.get_by_label(re.compile("^Année de naissance")).fill("1963")
    tablet.get_by_label(re.compile("^Code postal")).fill("59130")
    tablet.get_by_label(re.compile("^Transport et logistique")).check()
    tablet.get_by_label("Autre", exact=True).check()
    tablet.get_by_label(re.compile("J'ai lu l'information")).check()
    submit(tablet, tablet.get_by_role("button", name="Inscrire et enregistrer l'arrivée"))
    expect(tablet.get_by_role("alert")).to_contain_text("Bienvenue Bernard Delcourt")
    follow(tablet, tablet.get_by_role("link", name="Qui peut recevoir cette personne maintenant ?"))
    offer = tablet.get_by_role("listitem").filter(has_text="Clinique des Weppes")
    expect(offer).to_contain_text("recrute dans ses domaines")
    submit(tablet, offer.get_by_role("button", name=re.compile("^Réserver à")))
    expect(tablet.get_by_role("alert")).to_contain_text("Entretien réservé à")
    screenshots(tablet, "checkin-free-table", widths=(800,))

    # The board follows without reloading (it asks the API every 10 seconds). Waited for on
    # the last change, the booking: a refresh may have come between the walk-in's arrival
    # and the booking, and the next one is up to 10 s later.
    expect(figures.locator("[data-field=interviews_planned]")).to_have_text("2", timeout=15_000)
    expect(figures.locator("[data-field=arrived]")).to_have_text("1")
    expect(figures.locator("[data-field=employers_present]")).to_have_text("1")
    audit(office)
    screenshots(office, "checkin-board", widths=(1280,))
    visit(office, live_server(f"/accueil/etapes/{event_id}/grand-ecran"))
    expect(office.get_by_role("heading", level=1)).to_have_text("Tables libres maintenant")
    screenshots(office, "checkin-big-screen", widths=(1280,))

    # End of the day: the others are absent, the coordinators get the summary.
    visit(office, live_server(f"/admin/etapes/{event_id}/cloture"))
    submit(office, office.get_by_role("button", name="Clôturer la journée"))
    expect(office.get_by_role("status").first).to_contain_text("Journée clôturée : 3 absents")
    assert codes  # the three people registered by phone never came
