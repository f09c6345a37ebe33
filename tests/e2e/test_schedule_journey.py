"""Staff run the automatic scheduler for an étape, look at the proposal and publish it; a
candidate then finds her interviews on her ticket."""

import re
from datetime import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.browsing import audit, follow, screenshots, submit, visit
from tests.e2e.conftest import DESKTOP, PHONE
from tests.interviews.conftest import establishment_details, participation_details

pytestmark = pytest.mark.e2e

TOWN = "Ronchin"
PEOPLE = [("Martine", "Lefebvre"), ("Fatima", "Benali"), ("Gérard", "Vasseur")]


def employers_with_wishes(
    live_server, staff_email: str, tokens: list[str]
) -> tuple[list[str], str]:
    """Two accepted employers at the étape, whose candidates all wish both; returns their
    names and the tour's."""
    from app.auth.models import User
    from app.candidates.queries import get_registration_by_token
    from app.employers import services as employers
    from app.events.models import Event, Venue
    from app.extensions import db
    from app.interviews.services import slots, wishes

    with live_server.app.app_context():
        staff = db.session.scalar(select(User).where(User.email == staff_email))
        event = db.session.scalars(
            select(Event).join(Venue).where(Venue.town == TOWN).order_by(Event.date.desc())
        ).first()
        names = []
        for name in ("Menuiserie Delattre", "Clinique des Weppes"):
            establishment = employers.save_establishment(
                establishment_details(company_name=name, name=f"{name} Ronchin")
            )
            (participation,) = employers.request_participation(
                [event.id],
                establishment,
                participation_details(tables=1, starts_at=time(9), ends_at=time(10)),
            )
            slots.accept(participation, staff)
            names.append(participation.establishment.display_name)
            for token in tokens:
                registration = get_registration_by_token(token)
                current = [
                    wishes.WishChoice(w.participation_id) for w in wishes.list_wishes(registration)
                ]
                wishes.set_wishes(registration, [*current, wishes.WishChoice(participation.id)])
        db.session.commit()
        return names, event.tour.name


def test_staff_schedule_an_etape_and_the_candidate_sees_her_interviews(
    live_server, new_page, staff_account, register_person
):
    live_server.app.config["SCHEDULER_TIME_LIMIT"] = 3
    tokens = [
        register_person(TOWN, first_name=first, last_name=last, domains=["D"])
        for first, last in PEOPLE
    ]
    email, password = staff_account
    employer_names, tour_name = employers_with_wishes(live_server, email, tokens)

    page = new_page(DESKTOP)
    visit(page, live_server("/connexion"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    submit(page, page.get_by_role("button", name="Se connecter"))
    tour = page.get_by_role("region", name=tour_name)
    follow(page, tour.get_by_role("link", name=f"Employeurs et entretiens — {TOWN}"))
    follow(page, page.get_by_role("link", name="Planning automatique"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Planning automatique")
    screenshots(page, "staff-schedule-empty")

    submit(page, page.get_by_role("button", name="Calculer le planning"))
    # The page refreshes itself until the proposal is there.
    expect(page.get_by_role("heading", name="Proposition à vérifier")).to_be_visible(timeout=30_000)
    audit(page)
    figures = page.get_by_role("table", name=re.compile("premier arrivé, premier servi"))
    expect(figures.get_by_role("row", name=re.compile("^Entretiens"))).to_contain_text("6")
    expect(
        page.get_by_text("Tous les candidats qui ont fait des vœux ont au moins un entretien.")
    ).to_be_visible()
    days = page.get_by_role("table", name="Entretiens prévus par candidat")
    for first, last in PEOPLE:
        expect(days.get_by_role("row", name=re.compile(f"{first} {last}"))).to_contain_text(
            employer_names[0]
        )
    screenshots(page, "staff-schedule-proposal")

    submit(page, page.get_by_role("button", name=re.compile("^Publier ce planning")))
    expect(page.get_by_role("status")).to_contain_text("Planning publié : 6 entretiens réservés")
    expect(page.get_by_role("heading", name=re.compile("^Proposition publiée le"))).to_be_visible()
    screenshots(page, "staff-schedule-published")

    # Martine finds her two interviews on her ticket, on her phone.
    phone = new_page(PHONE)
    visit(phone, live_server(f"/mon-inscription/{tokens[0]}/billet"))
    interviews = phone.locator(".ticket-interviews")
    for name in employer_names:
        expect(interviews).to_contain_text(name)
    expect(interviews).to_contain_text("table 1")
    screenshots(phone, "candidate-ticket-scheduled")
