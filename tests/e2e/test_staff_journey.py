"""A staff member signs in, finds a registered person, registers someone by phone, exports."""

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.e2e.browsing import follow, submit, visit
from tests.e2e.conftest import DESKTOP

pytestmark = pytest.mark.e2e


def test_staff_find_register_by_phone_and_export(
    live_server, new_page, register_person, staff_account, tmp_path
):
    register_person("Ronchin", first_name="Martine", last_name="Lefebvre")
    register_person("Ronchin", first_name="Fatima", last_name="Benali")
    register_person("Wambrechies", first_name="Nadine", last_name="Vandenberghe")
    email, password = staff_account
    page = new_page(DESKTOP)

    # Signing in: a wrong password first, then the right one.
    visit(page, live_server("/connexion"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    submit(page, page.get_by_role("button", name="Se connecter"), status=422)
    expect(page.get_by_role("alert").filter(has_text="Le formulaire contient")).to_be_focused()
    page.get_by_label("Mot de passe").fill(password)
    submit(page, page.get_by_role("button", name="Se connecter"))
    back_office = page.get_by_role("navigation", name="Back-office")

    # Finding the person with the search box.
    follow(page, back_office.get_by_role("link", name="Inscriptions"))
    page.get_by_role("searchbox", name="Rechercher").fill("lefebvre")
    submit(page, page.get_by_role("button", name="Rechercher"))
    expect(page.get_by_role("status")).to_contain_text("1 inscription correspond")
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(2)  # the header and Martine Lefebvre
    expect(rows.nth(1)).to_contain_text("Ronchin")
    follow(page, page.get_by_role("link", name=re.compile(r"Lefebvre\s+Martine")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Martine Lefebvre")

    # Registering someone who called, without an email address.
    follow(page, page.get_by_role("link", name="Toutes les inscriptions"))
    follow(page, page.get_by_role("link", name="Inscrire une personne par téléphone"))
    submit(page, page.get_by_role("button", name="Inscrire cette personne"), status=422)
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link").first).to_contain_text("Étape")
    step = page.get_by_role("combobox", name=re.compile("^Étape"))
    step.select_option(step.locator("option", has_text="Tourcoing").get_attribute("value"))
    page.get_by_label("Nom (obligatoire)", exact=True).fill("Roussel")
    page.get_by_label("Prénom").fill("Gérard")
    page.get_by_label("Année de naissance").fill("1960")
    page.get_by_label("Code postal").fill("59200")
    page.get_by_label("Téléphone").fill("03 20 11 22 33")
    page.get_by_label("Transport et logistique").check()
    page.get_by_label("Le bouche-à-oreille").check()
    page.get_by_label("J'ai lu l'information sur les données personnelles à la personne").check()
    submit(page, page.get_by_role("button", name="Inscrire cette personne"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Gérard Roussel")
    expect(page.get_by_role("status")).to_contain_text(
        re.compile(r"Gérard Roussel est inscrit\(e\) : billet [A-Z0-9]{4}-[A-Z0-9]{4}")
    )
    expect(page.get_by_text("Agent Accueil")).to_be_visible()

    # The whole list, exported to a spreadsheet that openpyxl opens.
    follow(page, back_office.get_by_role("link", name="Inscriptions"))
    expect(page.get_by_role("status")).to_contain_text("4 inscriptions en tout")
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter la liste (.xlsx)").click()
    spreadsheet = tmp_path / download.value.suggested_filename
    assert spreadsheet.suffix == ".xlsx"
    download.value.save_as(spreadsheet)
    workbook = openpyxl.load_workbook(spreadsheet, read_only=True)
    table = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    headers, people = table[0], table[1:]
    assert headers[:2] == ["Nom", "Prénom"]
    assert len(people) == 4
    by_name = {(row[0], row[1]): dict(zip(headers, row, strict=True)) for row in people}
    assert by_name[("Lefebvre", "Martine")]["Étape"] == "Ronchin"
    roussel = by_name[("Roussel", "Gérard")]
    assert roussel["Étape"] == "Tourcoing"
    assert roussel["E-mail"] in (None, "")
    assert roussel["Inscrit(e) par"] == "Agent Accueil"
