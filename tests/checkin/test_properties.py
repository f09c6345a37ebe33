"""Property tests of the check-in code input: whatever is typed or scanned, the answer is a
check-in or a refusal with a stable code, never a crash and never a second check-in."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.candidates.models import name_key
from app.candidates.tickets import TICKET_ALPHABET, TICKET_LENGTH, normalise_ticket_code
from app.checkin import services
from app.checkin.models import CheckIn
from app.extensions import db

pytestmark = pytest.mark.slow

codes = st.text(alphabet=TICKET_ALPHABET, min_size=TICKET_LENGTH, max_size=TICKET_LENGTH)
separators = st.sampled_from(["", " ", "-", "  ", ".", "_", "\t"])


@st.composite
def as_typed(draw, code: str) -> str:
    """The code as a person types it from paper, or a scanner sends it."""
    typed = ""
    for character in code:
        typed += draw(separators) + (character.lower() if draw(st.booleans()) else character)
    return draw(separators) + typed + draw(separators)


@given(st.data())
def test_a_code_however_it_is_typed_reads_as_itself(data):
    code = data.draw(codes)
    assert normalise_ticket_code(data.draw(as_typed(code))) == code


@given(st.text(max_size=60))
def test_anything_else_reads_as_a_code_or_nothing(text):
    code = normalise_ticket_code(text)
    assert code is None or (len(code) == TICKET_LENGTH and set(code) <= set(TICKET_ALPHABET))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    text=st.one_of(st.text(max_size=80), st.binary(max_size=20).map(lambda b: b.decode("latin-1")))
)
def test_garbage_never_crashes_nor_lets_anyone_in(app, day, text):
    event, people = day
    tickets = {person.ticket_code for person in people}
    try:
        result = services.check_in(event.id, text, actor=services.Actor())
    except services.CheckInError as error:
        db.session.rollback()
        assert error.code in ("invalid_code", "unknown_code")
        services.record_refusal(
            event.id, text, error, actor=services.Actor(), method=services.CheckInMethod.SCANNER
        )
        db.session.commit()
    else:
        # Only a real ticket of the étape, however typed, gets in.
        assert result.registration.ticket_code in tickets
        db.session.rollback()
    assert db.session.scalar(select(func.count(CheckIn.id))) == 0


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_ticket_typed_any_way_gets_in_once(app, day, data):
    event, people = day
    person = data.draw(st.sampled_from(people))
    first = services.check_in(
        event.id, data.draw(as_typed(person.ticket_code)), actor=services.Actor()
    )
    again = services.check_in(
        event.id, data.draw(as_typed(person.ticket_code)), actor=services.Actor()
    )
    assert first.registration.id == again.registration.id == person.id
    assert (first.status, again.status) in (
        ("checked_in", "already_checked_in"),
        ("already_checked_in", "already_checked_in"),
    )
    db.session.commit()
    assert (
        db.session.scalar(
            select(func.count(CheckIn.id)).where(CheckIn.registration_id == person.id)
        )
        == 1
    )


#: Pieces of the names of `day` (Martin Sylvie, Lefèvre Hélène, Dubois Jean-Marc), of every
#: length: 1 and 2 letters go by a scan, 3 and more through the trigrams.
name_pieces = st.sampled_from(
    [
        "m",
        "ma",
        "mar",
        "tin",
        "martin",
        "sylvie",
        "ylv",
        "le",
        "lef",
        "fèv",
        "LEFEVRE",
        "hélène",
        "ène",
        "du",
        "dub",
        "bois",
        "jean",
        "marc",
        "jean-marc",
        "an",
        "oi",
    ]
)
noise = st.text(alphabet="abcdeijlmnorstuvé%_'-", max_size=5)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(words=st.lists(st.one_of(name_pieces, noise), min_size=1, max_size=4))
def test_the_search_finds_exactly_the_people_whose_name_has_every_word(app, day, words):
    """Whichever way each word is looked up (trigrams, or a scan for a short one), the
    people found are those a plain reading of the names finds."""
    event, people = day
    query = " ".join(words)
    terms = services._search_terms(query)
    code = terms.get("code", "").rstrip("%")
    name_words = name_key(query).split()[:4]
    expected = {
        person.id
        for person in people
        if terms
        and (
            (name_words and all(word in person.candidate.search_key for word in name_words))
            or (code and person.ticket_code.startswith(code))
        )
    }
    found = [p.registration_id for p, _arrival in services.search_people(event.id, query)]
    assert len(found) == len(set(found))
    assert set(found) == expected
