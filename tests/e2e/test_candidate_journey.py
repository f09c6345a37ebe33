"""A person on a phone registers, gets the ticket, moves to another étape, then cancels."""

import re

import icalendar
import pytest
from playwright.sync_api import expect

from tests.e2e.browsing import audit, follow, submit, visit
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.e2e

TICKET_CODE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")


def fill_with_mistakes(page):
    page.get_by_label("Nom (obligatoire)", exact=True).fill("Lefebvre")
    page.get_by_label("Année de naissance").fill("1990")
    page.get_by_label("Code postal").fill("590")
    page.get_by_label("Adresse e-mail").fill("martine.lefebvre@")


def fill_correctly(page):
    page.get_by_label("Prénom").fill("Martine")
    page.get_by_label("Année de naissance").fill("1967")
    page.get_by_label("Code postal").fill("59790")
    page.get_by_label("Adresse e-mail").fill("martine.lefebvre@exemple.fr")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("Commerce, vente et grande distribution").check()
    page.get_by_label("Support à l'entreprise").check()
    page.get_by_label("France Travail").check()
    page.get_by_label("Je souhaite participer à un atelier").check()
    page.get_by_label("J'ai lu l'information sur mes données personnelles").check()


def test_a_person_registers_on_a_phone_then_moves_and_cancels(live_server, new_page):
    page = new_page(PHONE)

    # The tour and its étapes; the person picks Ronchin.
    visit(page, live_server("/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Job Dating Tour")
    follow(page, page.get_by_role("link", name="Voir l'étape de Ronchin"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Job Dating de Ronchin")
    follow(page, page.get_by_role("link", name="M'inscrire à cette étape"))

    # A first try with mistakes: the error summary takes the focus and links to each field.
    fill_with_mistakes(page)
    submit(page, page.get_by_role("button", name="Envoyer mon inscription"), status=422)
    assert page.title().startswith("Erreur")
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient")
    expect(summary).to_be_focused()
    for problem in ("Prénom", "Année de naissance", "Code postal", "Adresse e-mail", "Comment"):
        expect(summary.get_by_role("link", name=re.compile(problem))).to_be_visible()
    expect(summary).to_contain_text("50 ans et plus")
    summary.get_by_role("link", name=re.compile("^Code postal")).click()
    expect(page.get_by_label("Code postal")).to_be_focused()
    expect(page.get_by_label("Code postal")).to_be_in_viewport()
    expect(page.get_by_label("Code postal")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Nom (obligatoire)", exact=True)).to_have_value("Lefebvre")

    # The corrected form: the confirmation shows the ticket with its QR code.
    fill_correctly(page)
    submit(page, page.get_by_role("button", name="Envoyer mon inscription"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Merci Martine")
    expect(page.get_by_text("Votre inscription est confirmée.")).to_be_visible()
    qr = page.get_by_role("img", name=re.compile("Code QR"))
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth") > 0
    code = page.locator(".ticket-code").inner_text().strip()
    assert TICKET_CODE.match(code), code

    # "Mon inscription": the ticket again, the calendar file.
    follow(page, page.get_by_role("link", name="Gérer mon inscription"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon inscription")
    expect(page.get_by_text(code)).to_be_visible()
    manage_url = page.url
    with page.expect_download() as download:
        page.get_by_role("link", name="Ajouter à mon agenda (.ics)").click()
    ics = download.value
    assert ics.suggested_filename.endswith(".ics")
    content = ics.path().read_bytes()
    assert b"BEGIN:VEVENT" in content
    events = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert len(events) == 1 and "Ronchin" in str(events[0]["LOCATION"])

    # The printable ticket: on paper, only the ticket.
    follow(page, page.get_by_role("link", name="Imprimer mon billet"))
    expect(page.get_by_text(code)).to_be_visible()
    assert page.get_by_role("img", name=re.compile("Code QR")).evaluate(
        "image => image.complete && image.naturalWidth"
    )
    page.emulate_media(media="print")
    for hidden in ("body > header", "body > footer", ".no-print"):
        expect(page.locator(hidden)).to_have_count(1)
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.get_by_text(code)).to_be_visible()
    audit(page)
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1, "the ticket prints on one A4 page"
    page.emulate_media(media="screen")
    follow(page, page.get_by_role("link", name="Retour à mon inscription"))
    assert page.url == manage_url

    # Moving to Tourcoing: the same ticket, another étape.
    follow(page, page.get_by_role("link", name="Changer d'étape"))
    page.get_by_label(re.compile("^Tourcoing")).check()
    submit(page, page.get_by_role("button", name="Changer d'étape"))
    expect(page.get_by_role("status")).to_contain_text("Tourcoing")
    expect(page.locator("main .lead")).to_contain_text("Job Dating de Tourcoing")
    expect(page.get_by_text(code)).to_be_visible()

    # Cancelling asks first, then says so plainly.
    follow(page, page.get_by_role("link", name="Annuler mon inscription"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuler mon inscription ?")
    submit(page, page.get_by_role("button", name="Oui, annuler mon inscription"))
    assert page.url == manage_url
    expect(page.get_by_text("Cette inscription est annulée.")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Votre inscription est annulée")
    expect(page.get_by_role("img", name=re.compile("Code QR"))).to_have_count(0)
    expect(page.get_by_role("link", name="Annuler mon inscription")).to_have_count(0)

    # Their personal data stays within reach.
    follow(page, page.get_by_role("link", name="Voir, télécharger ou supprimer mes données"))
    expect(page.get_by_text("martine.lefebvre@exemple.fr")).to_be_visible()
    expect(page.get_by_text(re.compile("Tourcoing.*Annulée", re.I))).to_be_visible()


def test_wrong_links_get_a_clear_page(live_server, new_page):
    page = new_page(PHONE)
    visit(page, live_server("/mon-inscription/ce-lien-est-incomplet-ou-faux-1234"), status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien ne fonctionne pas")
    visit(page, live_server("/etapes/987654"), status=404)
    visit(page, live_server("/vos-donnees"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos données personnelles")
