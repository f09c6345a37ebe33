"""An employer asks to take part in an étape, staff accept, a candidate ranks the employer and
books a slot, the employer signs in without a password, looks at the candidate's profile and,
on the day, marks the interview on a phone."""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.candidates import documents
from tests.e2e.browsing import follow, screenshots, submit, tap, visit
from tests.e2e.conftest import DESKTOP, PHONE
from tests.sirets import siren, siret

pytestmark = pytest.mark.e2e

TOWN = "Ronchin"
COMPANY = "Boulangeries Decottignies"
ESTABLISHMENT = "Fournil de Ronchin"
EMPLOYER = f"{COMPANY} — {ESTABLISHMENT}"
CONTACT_EMAIL = "rh.ronchin@decottignies.example"
SIRET = siret(siren(48_215_007))
SIGN_IN_LINK = re.compile(r"https?://\S+/espace-employeur/connexion/[A-Za-z0-9_-]+")
SIGN_IN_CODE = re.compile(r"code sur la page de connexion : (\d{3} \d{3})")
CV = documents.pdf()


def upcoming_event(live_server):
    """The id, date and tour name of the upcoming étape of TOWN in the demo tour."""
    from app.events.models import Event, Venue
    from app.extensions import db

    with live_server.app.app_context():
        event = db.session.scalars(
            select(Event).join(Venue).where(Venue.town == TOWN).order_by(Event.date.desc())
        ).first()
        return event.id, event.date, event.tour.name


def change_event(live_server, event_id: int, **values) -> None:
    """What staff would set on the étape's settings page (committed)."""
    from app.events.models import Event
    from app.extensions import db

    with live_server.app.app_context():
        event = db.session.get(Event, event_id)
        for name, value in values.items():
            setattr(event, name, value)
        db.session.commit()


def the_interview(live_server):
    """(status, concluant) of the one interview with the employer."""
    from app.extensions import db
    from app.interviews.models import Interview

    with live_server.app.app_context():
        interview = db.session.scalars(select(Interview)).one()
        return interview.status, interview.concluant


def fill_request(page, siret_number: str) -> None:
    page.get_by_label("Numéro SIRET de l'établissement").fill(siret_number)
    page.get_by_label("Nom de l'entreprise").fill(COMPANY)
    page.get_by_label("Nom de l'établissement").fill(ESTABLISHMENT)
    page.get_by_label("Adresse de l'établissement").fill("12 rue Jean Jaurès")
    page.get_by_label("Code postal").fill("59790")
    page.get_by_label("Commune").fill("Ronchin")
    page.get_by_label("Secteur d'activité").fill("Boulangerie, pâtisserie")
    page.get_by_label("Notre entreprise a signé la Charte emploi senior").check()
    page.get_by_label(re.compile(f"^{TOWN} — ")).check()
    page.get_by_label("Nombre de tables").fill("1")
    page.get_by_label("Début des entretiens").fill("09:00")
    page.get_by_label("Fin des entretiens").fill("10:00")
    page.get_by_label("Offre 1 : intitulé du poste").fill("Vendeur ou vendeuse en boulangerie")
    page.get_by_label("Offre 1 : contrat").select_option("CDI")
    page.get_by_label("Offre 1 : domaine").select_option(
        label="Commerce, vente et grande distribution"
    )
    page.get_by_label("Offre 1 : nombre de postes").fill("2")
    page.get_by_label("Offre 1 : description courte").fill("Accueil et vente, 30 h par semaine.")
    page.get_by_label("Votre nom").fill("Véronique Decottignies")
    page.get_by_label("Votre adresse e-mail").fill(CONTACT_EMAIL)
    page.get_by_label("Votre téléphone").fill("03 20 52 14 14")


def employer_asks_to_take_part(live_server, page, event_date) -> None:
    visit(page, live_server("/employeurs/participer"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Recruter au Job Dating Tour 50+")
    screenshots(page, "employer-participate")

    # A SIRET with a typo: the error summary takes the focus and leads to the field.
    fill_request(page, SIRET[:-1] + str((int(SIRET[-1]) + 1) % 10))
    submit(page, page.get_by_role("button", name="Envoyer ma demande"), status=422)
    assert page.title().startswith("Erreur")
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(1)
    screenshots(page, "employer-participate-error")
    summary.get_by_role("link", name=re.compile("^Numéro SIRET")).click()
    siret_field = page.get_by_label("Numéro SIRET de l'établissement")
    expect(siret_field).to_be_focused()
    expect(siret_field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Nom de l'entreprise")).to_have_value(COMPANY)
    expect(page.get_by_label(re.compile(f"^{TOWN} — "))).to_be_checked()

    # Corrected: the request is sent.
    siret_field.fill(" ".join([SIRET[:3], SIRET[3:6], SIRET[6:9], SIRET[9:]]))
    submit(page, page.get_by_role("button", name="Envoyer ma demande"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, votre demande est envoyée")
    assert urlsplit(page.url).path == "/employeurs/demande-envoyee"
    expect(page.get_by_role("main")).to_contain_text(TOWN)
    expect(page.get_by_role("main")).to_contain_text(str(event_date.year))
    expect(page.get_by_role("main")).to_contain_text(
        f"Nous vous répondons à l'adresse {CONTACT_EMAIL}"
    )
    screenshots(page, "employer-requested")


def staff_accept(live_server, page, staff_account, event_id: int, tour_name: str) -> None:
    email, password = staff_account
    visit(page, live_server("/connexion"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    submit(page, page.get_by_role("button", name="Se connecter"))
    tour = page.get_by_role("region", name=tour_name)
    follow(page, tour.get_by_role("link", name=f"Employeurs et entretiens — {TOWN}"))
    assert urlsplit(page.url).path == f"/admin/etapes/{event_id}/employeurs"
    requests = page.get_by_role("region", name="1 demande à traiter")
    expect(requests.get_by_role("row", name=re.compile(EMPLOYER))).to_contain_text(SIRET)
    screenshots(page, "staff-employers-requested")
    submit(page, requests.get_by_role("button", name=f"Accepter {EMPLOYER}"))
    expect(page.get_by_role("status")).to_contain_text(f"{EMPLOYER} participe à l'étape")
    accepted = page.get_by_role("region", name="1 employeur accepté")
    expect(accepted.get_by_role("row", name=re.compile(EMPLOYER))).to_contain_text("1 table")
    screenshots(page, "staff-employers-accepted")

    # The étape's self-booking is opened on its settings page.
    follow(page, page.get_by_role("link", name="Réglages des entretiens"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Réglages des entretiens")
    page.get_by_label("Les candidats réservent eux-mêmes leurs entretiens").check()
    screenshots(page, "staff-interview-settings")
    submit(page, page.get_by_role("button", name=re.compile("^Enregistrer")))
    expect(page.get_by_role("status")).to_contain_text(
        "Les réglages des entretiens sont enregistrés"
    )


def candidate_chooses_and_books(live_server, page, token: str) -> None:
    visit(page, live_server(f"/mon-inscription/{token}"))
    follow(page, page.get_by_role("link", name="Choisir les employeurs que je veux rencontrer"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Qui voulez-vous rencontrer ?")
    expect(page.get_by_role("heading", name=EMPLOYER)).to_be_visible()
    expect(page.get_by_text("Signataire de la Charte emploi senior")).to_be_visible()
    screenshots(page, "candidate-employers")
    page.get_by_label("Premier choix").select_option(label=f"{EMPLOYER} (tous les postes)")
    page.get_by_label(re.compile("^J'accepte que les employeurs de cette étape")).check()
    submit(page, page.get_by_role("button", name="Enregistrer mes choix"))
    expect(page.get_by_role("status")).to_contain_text("Vos choix sont enregistrés")
    expect(page.get_by_role("main").get_by_role("list").filter(has_text=EMPLOYER)).to_be_visible()

    # She adds her CV (a real PDF file chosen on the phone).
    follow(page, page.get_by_role("link", name="Déposer mon CV"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon CV")
    screenshots(page, "candidate-cv")
    page.get_by_label("Votre CV").set_input_files(
        files=[{"name": "CV Martine.pdf", "mimeType": "application/pdf", "buffer": CV}]
    )
    submit(page, page.get_by_role("button", name="Envoyer mon CV"))
    expect(page.get_by_role("status")).to_contain_text("Votre CV est enregistré")
    expect(page.get_by_role("main")).to_contain_text("CV Martine.pdf")
    expect(page.get_by_role("main")).to_contain_text("oui, vous partagez votre profil")
    screenshots(page, "candidate-cv-uploaded")
    follow(page, page.get_by_role("link", name="Retour à mon inscription").first)

    follow(page, page.get_by_role("link", name="Réserver un entretien"))
    screenshots(page, "candidate-book-employers")
    follow(page, page.get_by_role("link", name=f"Voir les horaires — {EMPLOYER}"))
    assert re.search(r"/entretiens\?employeur=\d+$", page.url), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Entretien avec {EMPLOYER}")
    hours = page.get_by_role("list").filter(has=page.get_by_role("button"))
    expect(hours.get_by_role("button")).to_have_count(3)  # 9 h, 9 h 20, 9 h 40 at one table
    screenshots(page, "candidate-book-hours")
    submit(page, page.get_by_role("button", name="de 9 h 20 à 9 h 35"))
    expect(page.get_by_role("status")).to_contain_text(
        f"C'est réservé : entretien avec {EMPLOYER} à 9 h 20"
    )
    interviews = page.locator(".interview-list")
    expect(interviews).to_contain_text("de 9 h 20 à 9 h 35")
    expect(interviews).to_contain_text(EMPLOYER)
    screenshots(page, "candidate-manage-with-interview")

    follow(page, page.get_by_role("link", name="Imprimer mon billet"))
    expect(page.locator(".ticket-interviews")).to_contain_text(
        f"de 9 h 20 à 9 h 35 — table 1 — {EMPLOYER}"
    )


def employer_signs_in_with_the_link(live_server, page, last_email) -> None:
    visit(page, live_server("/espace-employeur/connexion"))
    screenshots(page, "employer-sign-in")
    page.get_by_label("Adresse e-mail").fill(CONTACT_EMAIL.upper())
    submit(page, page.get_by_role("button", name="Recevoir mon lien de connexion"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez vos e-mails")
    screenshots(page, "employer-check-email")
    link = SIGN_IN_LINK.search(last_email("employer_sign_in", CONTACT_EMAIL))
    assert link, "the sign-in email holds a link"
    visit(page, live_server(urlsplit(link.group()).path))
    screenshots(page, "employer-sign-in-link")
    submit(page, page.get_by_role("button", name="Me connecter"))
    expect(page.get_by_role("status")).to_contain_text("Bienvenue dans votre espace employeur")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace employeur")


def employer_reviews_the_candidate(page, candidate: str) -> None:
    expect(page.get_by_role("heading", name=f"Job Dating de {TOWN}")).to_be_visible()
    expect(page.get_by_text("Participation confirmée")).to_be_visible()
    screenshots(page, "employer-portal-home")
    follow(page, page.get_by_role("link", name=f"Voir mes entretiens à {TOWN}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Job Dating de {TOWN}")
    grid = page.get_by_role("table", name=re.compile("Créneaux de vos tables"))
    rows = grid.get_by_role("row")
    expect(rows).to_have_count(4)  # the header, 9 h, 9 h 20 and 9 h 40
    expect(rows.nth(1)).to_contain_text("libre")
    expect(rows.nth(2)).to_contain_text(candidate)
    expect(rows.nth(3)).to_contain_text("libre")
    profile = page.get_by_role("region", name=candidate)
    expect(profile).to_contain_text("Commerce, vente et grande distribution")
    screenshots(page, "employer-participation")
    with page.expect_download() as download:
        profile.get_by_role("link", name=f"Télécharger le CV de {candidate}").click()
    assert download.value.suggested_filename == "CV Martine.pdf"
    assert Path(download.value.path()).read_bytes() == CV

    submit(page, profile.get_by_role("button", name=f"Pas ce profil : {candidate}"))
    expect(page.get_by_role("status")).to_contain_text("C'est noté")
    expect(profile).to_contain_text("Votre avis : pas ce profil")
    submit(page, profile.get_by_role("button", name=f"Je souhaite rencontrer {candidate}"))
    expect(profile).to_contain_text("Votre avis : je souhaite rencontrer")
    screenshots(page, "employer-participation-reviewed")

    follow(page, page.get_by_role("link", name="Feuille de la journée à imprimer"))
    sheet = page.get_by_role("table", name="Vos entretiens, par heure")
    expect(sheet).to_contain_text(candidate)
    call = sheet.get_by_role("link", name="06 12 34 56 78")
    expect(call).to_have_attribute("href", "tel:+33612345678")
    screenshots(page, "employer-day-sheet")
    follow(page, page.get_by_role("link", name=f"← Mes entretiens à {TOWN}", exact=True))

    # Before the day, the outcomes page says when it can be used.
    follow(page, page.get_by_role("link", name="Le jour J : noter mes entretiens"))
    expect(
        page.get_by_text("Vous pourrez noter vos entretiens le jour de l'étape.")
    ).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Venu"))).to_have_count(0)


def employer_marks_the_outcome_on_a_phone(live_server, page, last_email, candidate) -> None:
    # On the phone, the employer types the code of a new sign-in email.
    visit(page, live_server("/espace-employeur/connexion"))
    page.get_by_label("Adresse e-mail").fill(CONTACT_EMAIL)
    tap(page, page.get_by_role("button", name="Recevoir mon lien de connexion"))
    code = SIGN_IN_CODE.search(last_email("employer_sign_in", CONTACT_EMAIL))
    assert code, "the sign-in email holds a code"
    page.get_by_label("Code reçu par e-mail").fill(code.group(1))
    tap(page, page.get_by_role("button", name="Me connecter"))
    tap(page, page.get_by_role("link", name=f"Voir mes entretiens à {TOWN}"))
    tap(page, page.get_by_role("link", name="Le jour J : noter mes entretiens"))
    interview = page.get_by_role("region", name=re.compile(f"^9\\sh\\s20 · {candidate}$"))
    expect(interview).to_contain_text("Pas encore noté")
    screenshots(page, "employer-outcomes")
    button = interview.get_by_role("button", name=re.compile("^Venu\\(e\\) — concluant"))
    box = button.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 0.8 * PHONE["width"] - 64, box
    interview.get_by_label(re.compile("^Note")).fill("Second entretien mardi à 14 h.")
    tap(page, button)
    expect(page.get_by_role("status")).to_contain_text(f"Enregistré pour {candidate}")
    expect(interview).to_contain_text("Venu(e) — concluant")
    expect(interview.get_by_label(re.compile("^Note"))).to_have_value(
        "Second entretien mardi à 14 h."
    )
    screenshots(page, "employer-outcomes-recorded")


def test_an_employer_takes_part_meets_a_candidate_and_marks_the_outcome(
    live_server, new_page, staff_account, register_person, last_email
):
    from app.events.models import today_in_paris

    event_id, event_date, tour_name = upcoming_event(live_server)

    # 1. The employer asks to take part, from the office.
    employer_asks_to_take_part(live_server, new_page(DESKTOP), event_date)

    # 2. Staff accept, and open the étape's self-booking on its settings page.
    staff_accept(live_server, new_page(DESKTOP), staff_account, event_id, tour_name)

    # 3. A candidate ranks the employer, shares her profile and books a slot, on a phone.
    token = register_person(
        TOWN, first_name="Martine", last_name="Lefebvre", domains=["D"], phone="+33612345678"
    )
    candidate_chooses_and_books(live_server, new_page(PHONE), token)

    # 4. The employer signs in with the emailed link, sees the candidate, reviews her profile.
    employer = new_page(DESKTOP)
    employer_signs_in_with_the_link(live_server, employer, last_email)
    employer_reviews_the_candidate(employer, "Martine Lefebvre")

    # 5. The day of the étape: the employer marks the interview from a phone.
    today = today_in_paris()
    change_event(
        live_server, event_id, date=today, registration_closes_on=today - timedelta(days=1)
    )
    employer_marks_the_outcome_on_a_phone(
        live_server, new_page(PHONE), last_email, "Martine Lefebvre"
    )
    assert the_interview(live_server) == ("held", True)
