"""The candidate's side of interviews, through the test client: the employers on the public
étape page, ranking wishes and sharing one's profile, booking and cancelling a slot, and
the interviews on "Mon inscription" and the ticket."""

import html
import re
from datetime import time

import pytest
from sqlalchemy import func, select

from app.candidates import services as candidates
from app.candidates.models import Registration, RegistrationStatus
from app.employers import services as employers
from app.employers.models import ContractType
from app.extensions import db
from app.interviews.models import Interview, InterviewSource, InterviewStatus, Slot, Wish
from app.interviews.services import booking
from tests.candidates.conftest import database_snapshot
from tests.interviews.conftest import establishment_details
from tests.pages import read_page

SELF = InterviewSource.SELF


def text_of(response) -> str:
    """The page's text, without tags, spaces squashed."""
    without_tags = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(without_tags).split())


def slots_of(participation) -> list[Slot]:
    return list(
        db.session.scalars(
            select(Slot)
            .where(Slot.participation_id == participation.id)
            .order_by(Slot.starts_at, Slot.table_number)
        )
    )


def wishes_of(registration) -> list[tuple[int, int | None, int]]:
    return [
        (wish.participation_id, wish.job_offer_id, wish.rank)
        for wish in db.session.scalars(
            select(Wish).where(Wish.registration_id == registration.id).order_by(Wish.rank)
        )
    ]


def sharing_checkbox(response) -> str:
    (tag,) = re.findall(r'<input[^>]*name="shares_profile"[^>]*>', response.get_data(as_text=True))
    return tag


def employers_url(registration) -> str:
    return f"/mon-inscription/{registration.manage_token}/employeurs"


def book_url(registration, participation=None) -> str:
    url = f"/mon-inscription/{registration.manage_token}/entretiens"
    return f"{url}?employeur={participation.id}" if participation else url


def cancel_url(registration, interview=None) -> str:
    url = f"/mon-inscription/{registration.manage_token}/entretiens/annuler"
    return f"{url}?entretien={interview.id}" if interview else url


def manage_url(registration) -> str:
    return f"/mon-inscription/{registration.manage_token}"


def slot_buttons(response) -> list[str]:
    """The slot ids of the page's booking buttons, in order."""
    return re.findall(r'name="slot_id" value="(\d+)"', response.get_data(as_text=True))


@pytest.fixture
def etape(make_event, make_participation):
    """An étape with self-booking open and two accepted employers (one a Charte signatory
    with two offers), and one employer still waiting for a decision."""
    event = make_event(self_booking_open=True, max_wishes=3)
    charter = employers.save_establishment(
        establishment_details(company_name="Boulangeries Nord", charter_signatory=True)
    )
    first = make_participation(
        event,
        establishment=charter,
        offers=[
            employers.OfferDetails(
                title="Vendeur en boulangerie",
                contract_type=ContractType.CDI,
                rome_domain="D",
                positions=3,
                description="Accueil des clients et mise en rayon, du mardi au samedi.",
            ),
            employers.OfferDetails(
                title="Livreur", contract_type=ContractType.CDD_LONG, rome_domain="N"
            ),
        ],
    )
    second = make_participation(event)
    pending = make_participation(
        event,
        accepted=False,
        establishment=employers.save_establishment(
            establishment_details(company_name="Pas Encore Acceptée")
        ),
    )
    return event, first, second, pending


# --- The public étape page -------------------------------------------------------------


def test_the_etape_page_lists_accepted_employers_offers_and_the_charter_badge(client, etape):
    event, first, second, _pending = etape
    page = text_of(client.get(f"/etapes/{event.id}"))
    assert "Les employeurs présents" in page
    assert first.establishment.display_name in page
    assert second.establishment.display_name in page
    assert "Pas Encore Acceptée" not in page
    assert "Vendeur en boulangerie — CDI, 3 postes" in page
    assert "Accueil des clients et mise en rayon" in page
    assert "Livreur — CDD d'un mois ou plus, 1 poste" in page
    assert page.count("Signataire de la Charte emploi senior") == 1


def test_an_etape_without_employers_says_so(client, make_event):
    page = text_of(client.get(f"/etapes/{make_event().id}"))
    assert "La liste des employeurs de cette étape n'est pas encore publiée" in page


# --- Wishes and profile sharing --------------------------------------------------------


def test_wishes_are_saved_in_order_then_re_ranked(client, etape, make_registration):
    event, first, second, _ = etape
    registration = make_registration(event)
    offer = first.offers[0]
    page = client.get(employers_url(registration))
    assert page.status_code == 200
    assert "Premier choix" in text_of(page) and "Troisième choix" in text_of(page)
    assert 'name="rank_4"' not in page.get_data(as_text=True)

    response = client.post(
        employers_url(registration),
        data={"rank_1": f"{first.id}-{offer.id}", "rank_2": str(second.id), "rank_3": ""},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == manage_url(registration)
    assert wishes_of(registration) == [(first.id, offer.id, 1), (second.id, None, 2)]
    manage = text_of(client.get(manage_url(registration)))
    assert "Vos choix sont enregistrés." in manage
    assert f"{first.establishment.display_name} — Vendeur en boulangerie" in manage

    # The page shows the current choices; ranking again replaces them.
    page = client.get(employers_url(registration)).get_data(as_text=True)
    assert f'<option selected value="{first.id}-{offer.id}">' in page
    response = client.post(
        employers_url(registration),
        data={"rank_1": "", "rank_2": str(second.id), "rank_3": str(first.id)},
    )
    assert response.status_code == 302
    assert wishes_of(registration) == [(second.id, None, 1), (first.id, None, 2)]


@pytest.mark.parametrize(
    ("choices", "field", "message"),
    [
        ("too many", "rank_5", "Vous pouvez choisir 3 employeurs au plus."),
        ("twice", "rank_2", "Vous avez choisi deux fois le même employeur."),
        ("pending", "rank_1", "Cet employeur ne participe pas à votre étape."),
        ("made up", "rank_2", "Cet employeur ne participe pas à votre étape."),
    ],
)
def test_refused_wishes_are_explained_and_nothing_is_written(
    client, etape, make_registration, make_event, make_participation, choices, field, message
):
    event, first, second, pending = etape
    registration = make_registration(event)
    elsewhere = make_participation(make_event())
    client.post(employers_url(registration), data={"rank_1": str(second.id)})
    before = database_snapshot()
    data = {
        # A page opened before staff lowered the étape's limit to 3 sends 4 choices: the
        # fourth one (at the fifth line) is past the limit.
        "too many": {
            "rank_1": str(first.id),
            "rank_2": str(second.id),
            "rank_3": "",
            "rank_4": str(elsewhere.id),
            "rank_5": str(pending.id),
        },
        "twice": {"rank_1": str(first.id), "rank_2": f"{first.id}-{first.offers[1].id}"},
        "pending": {"rank_1": str(pending.id), "shares_profile": "y"},
        "made up": {"rank_1": str(first.id), "rank_2": "<script>", "shares_profile": "y"},
    }[choices]
    response = client.post(employers_url(registration), data=data)
    assert response.status_code == 422
    summary = read_page(response.get_data(as_text=True)).summary_links
    assert list(summary) == [f"#{field}"]
    assert message in summary[f"#{field}"]
    assert database_snapshot() == before
    assert wishes_of(registration) == [(second.id, None, 1)]
    assert registration.shares_profile is False


def test_profile_sharing_is_given_and_withdrawn(client, etape, make_registration):
    event, first, _second, _ = etape
    registration = make_registration(event)
    response = client.get(employers_url(registration))
    assert "checked" not in sharing_checkbox(response)
    page = text_of(response)
    assert (
        "J'accepte que les employeurs de cette étape voient mon profil (nom, code postal, domaines recherchés) et mon CV si je l'ai déposé"
        in page
    )
    response = client.post(
        employers_url(registration), data={"rank_1": str(first.id), "shares_profile": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).shares_profile is True
    assert "checked" in sharing_checkbox(client.get(employers_url(registration)))

    response = client.post(employers_url(registration), data={"rank_1": str(first.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).shares_profile is False
    assert wishes_of(registration) == [(first.id, None, 1)]


def test_a_cancelled_registration_cannot_rank_book_or_cancel(client, etape, make_registration):
    event, first, _, _ = etape
    registration = make_registration(event)
    candidates.cancel(registration)
    db.session.commit()
    before = database_snapshot()
    page = client.get(employers_url(registration))
    assert page.status_code == 200
    assert "Cette inscription est annulée." in text_of(page)
    assert 'name="rank_1"' not in page.get_data(as_text=True)
    response = client.post(
        employers_url(registration), data={"rank_1": str(first.id), "shares_profile": "y"}
    )
    assert response.status_code == 200
    assert slot_buttons(client.get(book_url(registration, first))) == []
    booked = client.post(book_url(registration, first), data={"slot_id": slots_of(first)[0].id})
    assert booked.status_code == 422
    for method in ("GET", "POST"):
        response = client.open(cancel_url(registration), method=method)
        assert response.status_code == 302
        assert response.headers["Location"] == manage_url(registration)
    assert database_snapshot() == before


# --- Self-booking ----------------------------------------------------------------------


def test_booking_a_slot_from_the_employers_hours(client, etape, make_registration):
    event, first, second, _pending = etape
    registration = make_registration(event)
    listing = text_of(client.get(book_url(registration)))
    assert first.establishment.display_name in listing
    assert second.establishment.display_name in listing
    assert "Pas Encore Acceptée" not in listing

    page = client.get(book_url(registration, first))
    assert page.status_code == 200
    free = slots_of(first)
    assert slot_buttons(page) == [str(slot.id) for slot in free]
    assert "de 9 h à 9 h 15" in text_of(page)

    response = client.post(book_url(registration, first), data={"slot_id": free[1].id})
    assert response.status_code == 302
    assert response.headers["Location"] == manage_url(registration)
    interview = db.session.scalars(select(Interview)).one()
    assert (interview.registration_id, interview.slot_id) == (registration.id, free[1].id)
    assert interview.source == SELF and interview.status == InterviewStatus.SCHEDULED

    manage_page = client.get(manage_url(registration))
    assert f'href="{book_url(registration)}"' in manage_page.get_data(as_text=True)
    manage = text_of(manage_page)
    assert "C'est réservé : entretien avec" in manage
    assert "Mes entretiens" in manage
    assert (
        f"de 9 h 20 à 9 h 35 — table {interview.slot.table_label} — {first.establishment.display_name}"
        in manage
    )
    # Once booked, the employer shows the interview instead of its hours.
    assert slot_buttons(client.get(book_url(registration, first))) == []
    assert "Votre entretien : de 9 h 20 à 9 h 35" in text_of(client.get(book_url(registration)))
    # The other employer's 9:20 is too close now: it is not offered.
    offered = slot_buttons(client.get(book_url(registration, second)))
    assert str(slots_of(second)[1].id) not in offered and offered


@pytest.mark.parametrize("slot_id", ["99999999999999999999", "-1", "0", "abc", ""])
def test_a_slot_that_is_no_id_is_refused_on_the_page(client, etape, make_registration, slot_id):
    event, first, _second, _pending = etape
    registration = make_registration(event)
    response = client.post(book_url(registration, first), data={"slot_id": slot_id})
    assert response.status_code == 422
    assert "Choisissez un horaire dans la liste." in text_of(response)
    assert db.session.scalar(select(func.count(Interview.id))) == 0


def test_booking_is_closed_unless_the_etape_opens_it(
    client, make_event, make_participation, make_registration
):
    event = make_event(self_booking_open=False)
    participation = make_participation(event)
    registration = make_registration(event)
    slot = slots_of(participation)[0]
    before = database_snapshot()
    page = client.get(book_url(registration, participation))
    assert page.status_code == 200
    assert slot_buttons(page) == []
    assert "La réservation des entretiens n'est pas ouverte" in text_of(page)
    manage = client.get(manage_url(registration)).get_data(as_text=True)
    assert f'href="{book_url(registration)}"' not in manage
    response = client.post(book_url(registration, participation), data={"slot_id": slot.id})
    assert response.status_code == 422
    assert "La réservation des entretiens n'est pas ouverte" in text_of(response)
    assert database_snapshot() == before


def test_a_waitlisted_candidate_cannot_book(client, etape, make_registration):
    event, first, _, _ = etape
    event.capacity = 1
    db.session.commit()
    make_registration(event)
    registration = make_registration(event)
    assert registration.status == RegistrationStatus.WAITLISTED
    before = database_snapshot()
    assert slot_buttons(client.get(book_url(registration, first))) == []
    response = client.post(book_url(registration, first), data={"slot_id": slots_of(first)[0].id})
    assert response.status_code == 422
    assert "Seules les inscriptions confirmées" in text_of(response)
    assert database_snapshot() == before


def test_a_slot_just_taken_offers_the_next_free_ones(client, etape, make_registration):
    event, first, _, _ = etape
    someone_else = make_registration(event)
    registration = make_registration(event)
    free = slots_of(first)
    page = client.get(book_url(registration, first))
    assert str(free[0].id) in slot_buttons(page)
    booking.book(someone_else.id, free[0].id, source=SELF)  # a moment before
    db.session.commit()
    before = database_snapshot()
    response = client.post(book_url(registration, first), data={"slot_id": free[0].id})
    assert response.status_code == 409
    assert "Ce créneau vient d'être pris" in text_of(response)
    assert slot_buttons(response) == [str(slot.id) for slot in free[1:]]
    assert database_snapshot() == before

    assert (
        client.post(book_url(registration, first), data={"slot_id": free[1].id}).status_code == 302
    )
    assert (
        db.session.scalar(
            select(Interview.slot_id).where(Interview.registration_id == registration.id)
        )
        == free[1].id
    )


def test_other_booking_errors_are_shown_plainly(client, etape, make_registration, make_event):
    event, first, second, _ = etape
    registration = make_registration(event)
    booking.book(registration.id, slots_of(first)[0].id, source=SELF)
    db.session.commit()
    before = database_snapshot()
    clash = client.post(book_url(registration, second), data={"slot_id": slots_of(second)[0].id})
    assert clash.status_code == 422
    assert "Vous avez déjà un entretien à ce moment-là" in text_of(clash)
    missing = client.post(book_url(registration, second), data={})
    assert missing.status_code == 422
    assert "Choisissez un horaire dans la liste." in text_of(missing)
    unknown = client.post(book_url(registration, second), data={"slot_id": 2_000_000})
    assert unknown.status_code == 422
    assert "Ce créneau n'existe pas à cette étape." in text_of(unknown)
    assert database_snapshot() == before


def test_an_employer_not_at_the_etape_is_not_found(
    client, etape, make_registration, make_event, make_participation
):
    event, _, _, pending = etape
    registration = make_registration(event)
    elsewhere = make_participation(make_event(self_booking_open=True))
    for participation_id in (pending.id, elsewhere.id, 2_000_000):
        url = f"{book_url(registration)}?employeur={participation_id}"
        assert client.get(url).status_code == 404
    for value in ("abc", "-1", "0", "1" * 40, "٣"):
        assert client.get(f"{book_url(registration)}?employeur={value}").status_code == 404


# --- Cancelling ------------------------------------------------------------------------


def test_cancelling_an_interview_asks_then_frees_the_slot(client, etape, make_registration):
    event, first, _, _ = etape
    registration = make_registration(event)
    interview = booking.book(registration.id, slots_of(first)[0].id, source=SELF)
    db.session.commit()
    manage = client.get(manage_url(registration)).get_data(as_text=True)
    assert f"entretiens/annuler?entretien={interview.id}" in manage

    before = database_snapshot()
    page = client.get(cancel_url(registration, interview))
    assert page.status_code == 200
    assert "Annuler votre entretien avec" in text_of(page)
    assert database_snapshot() == before

    response = client.post(cancel_url(registration, interview))
    assert response.status_code == 302
    assert response.headers["Location"] == manage_url(registration)
    db.session.expire_all()
    assert db.session.get(Interview, interview.id).status == InterviewStatus.CANCELLED
    assert "est annulé" in text_of(client.get(manage_url(registration)))
    assert str(slots_of(first)[0].id) in slot_buttons(client.get(book_url(registration, first)))

    # Sent again (a double click): nothing more happens.
    before = database_snapshot()
    again = client.post(cancel_url(registration, interview))
    assert again.status_code == 302
    assert database_snapshot() == before


def test_the_cancel_page_without_an_interview_lists_them(client, etape, make_registration):
    event, first, _, _ = etape
    registration = make_registration(event)
    assert "Vous n'avez aucun entretien prévu." in text_of(client.get(cancel_url(registration)))
    interview = booking.book(registration.id, slots_of(first)[0].id, source=SELF)
    db.session.commit()
    page = client.get(cancel_url(registration)).get_data(as_text=True)
    assert f"entretiens/annuler?entretien={interview.id}" in page
    assert client.post(cancel_url(registration)).status_code == 404


def test_another_candidates_interview_is_not_found(client, etape, make_registration):
    event, first, _, _ = etape
    mine = make_registration(event)
    theirs = make_registration(event)
    interview = booking.book(theirs.id, slots_of(first)[0].id, source=SELF)
    db.session.commit()
    before = database_snapshot()
    assert client.get(cancel_url(mine, interview)).status_code == 404
    assert client.post(cancel_url(mine, interview)).status_code == 404
    assert client.get(f"{cancel_url(mine)}?entretien=2000000").status_code == 404
    assert database_snapshot() == before
    assert db.session.get(Interview, interview.id).status == InterviewStatus.SCHEDULED


# --- The ticket ------------------------------------------------------------------------


def test_the_ticket_lists_the_interviews_in_time_order(client, etape, make_registration):
    event, first, second, _ = etape
    registration = make_registration(event)
    booking.book(registration.id, slots_of(second)[2].id, source=SELF)  # 9:40
    booking.book(registration.id, slots_of(first)[0].id, source=SELF)  # 9:00
    db.session.commit()
    page = text_of(client.get(f"/mon-inscription/{registration.manage_token}/billet"))
    assert "Vos entretiens" in page
    earlier = page.index(f"de 9 h à 9 h 15 — table {first.first_table} — ")
    later = page.index(f"de 9 h 40 à 9 h 55 — table {second.first_table} — ")
    assert earlier < later
    # "Mon inscription" lists them once, with its own actions.
    manage = text_of(client.get(manage_url(registration)))
    assert manage.count("de 9 h à 9 h 15") == 1


# --- Links that only read --------------------------------------------------------------


def test_a_get_on_any_of_these_pages_changes_nothing(client, etape, make_registration):
    event, first, second, _ = etape
    registration = make_registration(event)
    interview = booking.book(registration.id, slots_of(first)[0].id, source=SELF)
    db.session.commit()
    before = database_snapshot()
    urls = [
        f"/etapes/{event.id}",
        manage_url(registration),
        f"/mon-inscription/{registration.manage_token}/billet",
        employers_url(registration),
        f"{employers_url(registration)}?rank_1={second.id}&shares_profile=y",
        book_url(registration),
        book_url(registration, second),
        f"{book_url(registration, second)}&slot_id={slots_of(second)[2].id}",
        cancel_url(registration),
        cancel_url(registration, interview),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert client.head(url).status_code == 200, url
    assert database_snapshot() == before


@pytest.mark.parametrize("token", ["not-a-token", "A" * 43, "%00"])
def test_an_invalid_link_gets_the_link_page(client, etape, token):
    _event, first, _, _ = etape
    before = database_snapshot()
    for path in ("employeurs", "entretiens", "entretiens/annuler"):
        for method in ("GET", "POST"):
            url = f"/mon-inscription/{token}/{path}?employeur={first.id}&entretien=1"
            response = client.open(url, method=method, data={"slot_id": 1, "rank_1": first.id})
            assert response.status_code == 404, (method, url)
            assert "Ce lien ne fonctionne pas" in text_of(response), (method, url)
    assert database_snapshot() == before


def test_two_tables_at_the_same_hour_show_one_button(
    client, make_event, make_participation, make_registration
):
    """The candidate chooses an hour, not a table."""
    event = make_event(self_booking_open=True)
    participation = make_participation(event, tables=2, starts_at=time(9), ends_at=time(9, 40))
    registration = make_registration(event)
    assert len(slots_of(participation)) == 4
    page = client.get(book_url(registration, participation))
    assert slot_buttons(page) == [
        str(slot.id) for slot in slots_of(participation) if slot.table_number == 1
    ]
