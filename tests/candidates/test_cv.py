"""A candidate's CV: what may be uploaded (read from the content), replacing and removing
it, erasure, and the "Mon CV" page through the test client."""

import html
import io
import re

import pytest
from sqlalchemy import func, select

from app.candidates import services
from app.candidates.documents import clean_filename, detect_type
from app.candidates.models import Candidate, CurriculumVitae
from app.errors import DomainError
from app.extensions import db
from tests.candidates import documents
from tests.candidates.conftest import database_snapshot


def cv_count() -> int:
    return db.session.scalar(select(func.count(CurriculumVitae.id)))


def cv_url(registration, suffix: str = "") -> str:
    return f"/mon-inscription/{registration.manage_token}/cv{suffix}"


def text_of(response) -> str:
    """The page's text, without tags, no-break spaces as spaces, spaces squashed."""
    without_tags = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(without_tags).replace("\u00a0", " ").split())


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (documents.pdf(), "application/pdf"),
        (
            documents.docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (documents.odt(), "application/vnd.oasis.opendocument.text"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 100, "application/msword"),
        (documents.jpeg(), "image/jpeg"),
        (documents.png(), "image/png"),
    ],
)
def test_each_kind_of_cv_is_told_by_its_content(content, content_type):
    assert detect_type(content).content_type == content_type


@pytest.mark.parametrize(
    "content",
    [
        b"Bonjour, voici mon CV en texte.",
        b"MZ\x90\x00 an executable",
        b"<html><script>alert(1)</script></html>",
        documents.spreadsheet_zip(),
        b"PK\x03\x04 truncated zip",
        documents.broken_odt("encrypted"),
        documents.broken_odt("method"),
        documents.broken_odt("corrupt"),
        b"",
    ],
)
def test_anything_else_is_not_a_cv(content):
    assert detect_type(content) is None


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("Mon CV 2026.pdf", "Mon CV 2026.pdf"),
        ("C:\\Users\\Josiane\\Documents\\CV Josiane Lemaire.PDF", "CV Josiane Lemaire.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("cv.exe", "cv.pdf"),
        ("Hélène\u202eFDP.exe", "HélèneFDP.pdf"),
        ("", "CV.pdf"),
        ("...", "CV.pdf"),
        ("a" * 300 + ".pdf", "a" * 95 + ".pdf"),
    ],
)
def test_the_file_name_is_cleaned_and_ends_with_what_the_file_is(sent, kept):
    assert clean_filename(sent, detect_type(documents.pdf())) == kept


def test_a_cv_is_uploaded_replaced_and_removed(make_event, make_registration):
    registration = make_registration(make_event())
    candidate = registration.candidate
    services.upload_cv(candidate, "cv.pdf", documents.pdf())
    db.session.commit()
    first_id = candidate.cv.id
    services.upload_cv(candidate, "CV à jour.docx", documents.docx())
    db.session.commit()
    db.session.expire_all()
    cv = db.session.get(Candidate, candidate.id).cv
    assert cv_count() == 1 and cv.id == first_id
    assert (cv.filename, cv.size, cv.content) == (
        "CV à jour.docx",
        len(documents.docx()),
        documents.docx(),
    )
    services.remove_cv(cv.candidate)
    db.session.commit()
    assert cv_count() == 0


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "cv_empty"),
        (b"juste du texte", "cv_wrong_type"),
        (documents.pdf(size=5 * 1024 * 1024 + 1), "cv_too_large"),
    ],
)
def test_a_refused_cv_says_why_and_keeps_the_previous_one(
    make_event, make_registration, content, code
):
    registration = make_registration(make_event())
    services.upload_cv(registration.candidate, "ancien.pdf", documents.pdf())
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        services.upload_cv(registration.candidate, "nouveau.pdf", content)
    assert (caught.value.code, caught.value.field) == (code, "cv")
    db.session.rollback()
    assert registration.candidate.cv.filename == "ancien.pdf"


def test_erasing_ones_data_deletes_the_cv_and_the_export_mentions_it(make_event, make_registration):
    registration = make_registration(make_event())
    services.upload_cv(registration.candidate, "cv.pdf", documents.pdf())
    db.session.commit()
    exported = services.candidate_data_export(registration.candidate)
    assert exported["cv"]["fichier"] == "cv.pdf"
    assert exported["cv"]["taille_octets"] == len(documents.pdf())
    services.erase_personal_data(registration.candidate)
    db.session.commit()
    assert cv_count() == 0
    assert services.candidate_data_export(registration.candidate)["cv"] is None


# --- The "Mon CV" page ---------------------------------------------------------------
# The pages are tested with a 100 KB limit: the test client writes larger request bodies
# to temporary files that it never closes.


@pytest.fixture
def small_limit(app):
    app.config["CV_MAX_BYTES"] = 100 * 1024


def upload(client, registration, content: bytes, filename: str = "Mon CV.pdf"):
    return client.post(
        cv_url(registration),
        data={"cv": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_the_candidate_uploads_downloads_and_removes_their_cv(
    client, make_event, make_registration
):
    registration = make_registration(make_event())
    page = text_of(client.get(f"/mon-inscription/{registration.manage_token}"))
    assert "Déposer mon CV" in page
    response = upload(client, registration, documents.pdf())
    assert response.status_code == 302
    page = text_of(client.get(cv_url(registration)))
    assert "Votre CV est enregistré." in page
    assert "Mon CV.pdf" in page and "non, vous ne partagez pas votre profil" in page
    download = client.get(cv_url(registration, "/fichier"))
    assert download.status_code == 200 and download.data == documents.pdf()
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"
    response = client.post(cv_url(registration, "/retirer"))
    assert response.status_code == 302
    assert cv_count() == 0
    assert client.get(cv_url(registration, "/fichier")).status_code == 404


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Juste du texte", "Ce fichier n'est pas un CV que nous pouvons lire."),
        (b"", "Le fichier envoyé est vide."),
        (documents.pdf(size=100 * 1024 + 10), "Votre CV pèse 100 Ko : 100 Ko au plus."),
    ],
)
def test_a_refused_file_is_explained_beside_the_field_and_nothing_is_written(
    client, small_limit, make_event, make_registration, content, message
):
    registration = make_registration(make_event())
    before = database_snapshot()
    response = upload(client, registration, content)
    assert response.status_code == 422
    page = text_of(response)
    assert "Le formulaire contient 1 erreur" in page
    assert message in page
    assert database_snapshot() == before


def test_no_file_chosen_asks_for_one(client, make_event, make_registration):
    registration = make_registration(make_event())
    response = client.post(cv_url(registration), data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choisissez le fichier de votre CV sur votre appareil." in text_of(response)


def test_a_file_far_too_large_gets_the_page_with_a_message(
    client, small_limit, make_event, make_registration
):
    registration = make_registration(make_event())
    before = database_snapshot()
    response = upload(client, registration, documents.pdf(size=300 * 1024))
    assert response.status_code == 413
    page = text_of(response)
    assert "Votre CV est trop lourd : 100 Ko au plus." in page
    assert database_snapshot() == before


def test_other_pages_keep_their_small_size_limit(client, make_event, make_registration):
    """The CV page alone takes large requests; elsewhere the 512 KB limit holds."""
    registration = make_registration(make_event())
    # A body built by hand, so that the test client keeps it in memory.
    body = (
        b'--limite\r\nContent-Disposition: form-data; name="cv"; filename="cv.pdf"\r\n\r\n'
        + documents.pdf(size=600 * 1024)
        + b"\r\n--limite--\r\n"
    )
    response = client.post(
        f"/mon-inscription/{registration.manage_token}/corriger-mes-donnees",
        data=body,
        content_type="multipart/form-data; boundary=limite",
    )
    assert response.status_code == 413


def test_the_cv_pages_need_a_valid_link(client):
    for url in ("/mon-inscription/faux/cv", "/mon-inscription/faux/cv/fichier"):
        assert client.get(url).status_code == 404
    assert client.post("/mon-inscription/faux/cv/retirer").status_code == 404


def test_the_upload_checks_its_csrf_token(app, make_event, make_registration):
    app.config["WTF_CSRF_ENABLED"] = True
    registration = make_registration(make_event())
    response = upload(app.test_client(), registration, documents.pdf())
    assert response.status_code == 400
    assert "Demande incorrecte" in text_of(response)
    assert cv_count() == 0
