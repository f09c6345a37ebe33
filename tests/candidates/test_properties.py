"""Property tests (hypothesis): whatever arrives in the registration form, the answer is never
a 500 and the database holds either a whole registration or nothing; ticket codes typed by
people normalise to the stored code or to nothing."""

import re
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.candidates.models import Registration, RegistrationStatus
from app.candidates.tickets import (
    TICKET_ALPHABET,
    TICKET_LENGTH,
    new_ticket_code,
    normalise_ticket_code,
)
from app.events.rome import ROME_DOMAINS
from app.extensions import db
from app.notifications.models import OutboxMessage
from tests.candidates.conftest import assert_seats_match, row_counts
from tests.pages import multipart_body

pytestmark = pytest.mark.slow

SENTINELS = [
    "<script>alert('jdt')</script>",
    '"><img src=x onerror=alert(1)>',
]

#: Values that have broken forms before: NUL and control characters, markup, SQL, right-to-
#: left marks, other scripts' digits, letters that grow when lower-cased, sheer length.
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "Dupont\x00",
        "\r\n\t",
        *SENTINELS,
        "'; DROP TABLE candidate; --",
        "\u202eenoD",
        "٥٩٠٠٠",
        "１９６６",
        "İİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİ@exemple.fr",
        "ﬀ",
        "Ǆ" * 81,
        "x" * 100_000,
        "0" * 31,
        "-1",
        "1e3",
        "1966.0",
        "NaN",
        "+33 6 12 34 56 78",
        "+262 692 12 34 56",
        "a@b",
        "@exemple.fr",
    ]
)

ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
HUGE_TEXT = st.builds(
    lambda piece, times: piece * times,
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=3),
    st.integers(1_000, 60_000),
)


BAD_VALUE = st.one_of(ANY_TEXT, NASTY, HUGE_TEXT, st.none())

VALID_VALUES = {
    "last_name": st.sampled_from(["Dupont", "Le Gall", "N'Diaye", "Saint-Exupéry", "Œuvray"]),
    "first_name": st.one_of(
        st.sampled_from(["Marie", "Jean-Pierre", "Anaïs", "Zoé"]),
        st.from_regex(r"[A-Z][a-zéèïç]{2,12}", fullmatch=True),
    ),
    "email": st.one_of(
        st.from_regex(r"[a-z]{1,12}\.[a-z0-9]{1,12}@exemple\.fr", fullmatch=True),
        st.from_regex(r"[a-z]{1,12}\.[a-z0-9]{1,12}@exemple\.fr", fullmatch=True),
        st.emails().map(str),
        st.just(""),
    ),
    "phone": st.sampled_from(["06 12 34 56 78", "0320000000", "+33 7 12 34 56 78", ""]),
    "birth_year": st.integers(1920, 1975).map(str),
    "postcode": st.from_regex(r"[0-9]{5}", fullmatch=True),
    "referral": st.sampled_from(["france_travail", "cap_emploi", "press", "other"]),
    "domains": st.lists(st.sampled_from(list(ROME_DOMAINS)), max_size=5),
    "wants_workshop": st.sampled_from(["y", None]),
    "consent": st.just("y"),
}
#: A valid form, or one with up to four fields replaced by anything at all (or left out), or a
#: form made of anything at all.
registration_forms = st.one_of(
    st.builds(
        lambda valid, bad: {**valid, **bad},
        st.fixed_dictionaries(VALID_VALUES),
        st.one_of(
            st.just({}),
            st.dictionaries(st.sampled_from(sorted(VALID_VALUES)), BAD_VALUE, max_size=4),
        ),
    ),
    st.fixed_dictionaries(
        {
            **dict.fromkeys(VALID_VALUES, BAD_VALUE),
            "domains": st.one_of(st.lists(ANY_TEXT, max_size=16), st.none()),
        }
    ),
)
encodings = st.sampled_from(["urlencoded", "multipart"])

REGISTRATION_NOTICES = {"registration_confirmed", "registration_waitlisted"}


@pytest.fixture
def open_event(make_event):
    event = make_event(capacity=3)
    return event.id


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(form=registration_forms, encoding=encodings)
def test_any_registration_form_gets_an_answer_and_writes_all_or_nothing(
    client, open_event, form, encoding
):
    fields = {name: value for name, value in form.items() if value is not None}
    if encoding == "multipart":
        body, content_type = multipart_body(fields)
    else:
        body, content_type = urlencode(fields, doseq=True), "application/x-www-form-urlencoded"
    db.session.rollback()
    before = row_counts()
    last_id = db.session.scalar(select(func.max(Registration.id))) or 0
    last_message = db.session.scalar(select(func.max(OutboxMessage.id))) or 0

    response = client.post(
        f"/etapes/{open_event}/inscription", data=body, content_type=content_type
    )
    event(f"HTTP {response.status_code}")

    page = response.get_data(as_text=True)
    assert response.status_code in (200, 302, 400, 413, 422), response.status_code
    for sentinel in SENTINELS:
        assert sentinel not in page  # whatever was typed comes back escaped
    db.session.rollback()
    after = row_counts()
    delta = {table: after[table] - before[table] for table in after}
    new_messages = db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.id > last_message)
    ).all()

    if response.status_code == 302:  # a whole registration
        registration = db.session.scalars(
            select(Registration).where(Registration.id > last_id)
        ).one()
        candidate = registration.candidate
        assert response.headers["Location"].endswith(f"/{registration.manage_token}/confirmation")
        assert (delta["candidate"], delta["registration"]) == (1, 1)
        assert new_messages == (
            ["registration_" + registration.status.value] if candidate.email else []
        )
        assert_clean(candidate, registration)
    elif response.status_code == 200 and "déjà inscrit(e)" in page:  # a duplicate
        assert (delta["candidate"], delta["registration"]) == (0, 0)
        assert set(new_messages) <= {"registration_link"}
    else:  # refused: nothing at all
        assert delta == {"candidate": 0, "registration": 0, "outbox": 0}, response.status_code
    assert_seats_match(open_event)


def assert_clean(candidate, registration):
    """What was stored is what the form promises."""
    control = re.compile(r"[\x00-\x1f\x7f]")
    for text in (candidate.last_name, candidate.first_name, candidate.email or ""):
        assert not control.search(text)
    assert 1 <= len(candidate.last_name) <= 80 and 1 <= len(candidate.first_name) <= 80
    assert re.fullmatch(r"[0-9]{5}", candidate.postcode)
    assert candidate.phone is None or re.fullmatch(r"\+33[0-9]{9}", candidate.phone)
    assert candidate.email is None or (
        len(candidate.email) <= 254 and candidate.email == candidate.email.lower()
    )
    assert candidate.email or candidate.phone
    assert registration.event.date.year - candidate.birth_year >= registration.event.tour.min_age
    assert set(candidate.domains) <= set(ROME_DOMAINS)
    assert registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


# --- Ticket codes -----------------------------------------------------------------------

codes = st.text(st.sampled_from(TICKET_ALPHABET), min_size=TICKET_LENGTH, max_size=TICKET_LENGTH)
separators = st.text(st.sampled_from(" -_.\t"), max_size=2)


@given(code=codes, data=st.data())
def test_a_code_typed_with_any_case_and_separators_finds_the_code(code, data):
    typed = "".join(
        data.draw(separators) + (character.lower() if data.draw(st.booleans()) else character)
        for character in code
    ) + data.draw(separators)
    if len(typed) <= 40:
        assert normalise_ticket_code(typed) == code
    assert normalise_ticket_code(f"{code[:4]}-{code[4:]}") == code
    assert normalise_ticket_code(code.lower()) == code


@given(
    raw=st.one_of(
        st.text(),
        st.text(st.sampled_from(TICKET_ALPHABET + TICKET_ALPHABET.lower() + " -ßﬀİıſ0O1Il")),
        st.none(),
        st.integers(),
        st.binary(),
    )
)
@example(raw="7K3MQ9ß")  # "ß".upper() is "SS"
@example(raw="7K3MQ9Zﬀ")  # "ﬀ".upper() is "FF"
@example(raw="7k3mq9zſ")  # "ſ".upper() is "S"
@example(raw="7K3M-Q9ZO")
def test_normalising_anything_gives_a_valid_code_or_nothing(raw):
    code = normalise_ticket_code(raw)
    if code is None:
        return
    assert len(code) == TICKET_LENGTH and set(code) <= set(TICKET_ALPHABET)
    assert normalise_ticket_code(code) == code
    # Each character typed (other than separators) is one character of the code.
    typed = [
        character
        for character in raw
        if character not in " -_.\t\n\r\f\v" and not character.isspace()
    ]
    assert [character.upper() for character in typed] == list(code)


def test_new_codes_are_valid_and_normalise_to_themselves():
    for _ in range(500):
        code = new_ticket_code()
        assert len(code) == TICKET_LENGTH and set(code) <= set(TICKET_ALPHABET)
        assert normalise_ticket_code(code) == code
