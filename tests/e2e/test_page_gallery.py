"""The main pages at phone and desktop sizes: audited at both widths, and photographed into
test-artifacts/screenshots/ so that a person can look at them."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browsing import follow, screenshot, submit, visit
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

#: The printable width of an A4 page with 15 mm margins, in CSS pixels.
A4_PRINTABLE = {"width": 680, "height": 1000}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_public_pages_at_phone_and_desktop_sizes(live_server, new_page, register_person, viewport):
    token = register_person("Ronchin", first_name="Martine", last_name="Lefebvre")
    page = new_page(viewport)

    visit(page, live_server("/"))
    screenshot(page, "home")
    follow(page, page.get_by_role("link", name="Voir l'étape de Ronchin"))
    screenshot(page, "etape")
    follow(page, page.get_by_role("link", name="M'inscrire à cette étape"))
    page.get_by_label("Nom (obligatoire)", exact=True).fill("Lefebvre")
    submit(page, page.get_by_role("button", name="Envoyer mon inscription"), status=422)
    screenshot(page, "inscription-erreurs")

    visit(page, live_server(f"/mon-inscription/{token}/confirmation"))
    expect(page.get_by_role("img", name="Code QR", exact=False)).to_be_visible()
    screenshot(page, "confirmation")
    visit(page, live_server(f"/mon-inscription/{token}"))
    screenshot(page, "mon-inscription")
    visit(page, live_server(f"/mon-inscription/{token}/billet"))
    screenshot(page, "billet")
    page.emulate_media(media="print")
    page.set_viewport_size(A4_PRINTABLE)
    screenshot(page, "billet-impression")
    page.set_viewport_size(viewport)
    page.emulate_media(media="screen")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_staff_pages_at_phone_and_desktop_sizes(
    live_server, new_page, register_person, staff_account, viewport
):
    for town, first_name, last_name in [
        ("Wambrechies", "Nadine", "Vandenberghe"),
        ("Wambrechies", "Jean-Pierre", "Delcourt"),
        ("Ronchin", "Fatima", "Benali"),
        ("Ronchin", "Martine", "Lefebvre"),
    ]:
        register_person(town, first_name=first_name, last_name=last_name)
    page = new_page(viewport)
    email, password = staff_account
    visit(page, live_server("/connexion"))
    screenshot(page, "connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    submit(page, page.get_by_role("button", name="Se connecter"))
    screenshot(page, "back-office-etapes")
    follow(page, page.get_by_role("link", name="Inscriptions", exact=True))
    expect(page.get_by_role("link", name=re.compile(r"Lefebvre\s+Martine"))).to_be_visible()
    screenshot(page, "back-office-inscriptions")
