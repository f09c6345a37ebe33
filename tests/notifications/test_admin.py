"""Staff email pages: the outbox, and the messages received by the development SMTP sink."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from PIL import Image
from sqlalchemy import select, update

from app.candidates.services import register
from app.db import utcnow
from app.extensions import db
from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.services import send_due
from app.notifications.sink import start_sink
from tests.notifications.conftest import free_port
from tests.notifications.samples import write_received_message


@pytest.fixture
def sink_folder(app, tmp_path):
    """The development sink running on a free port, writing to a folder the viewer reads."""
    folder = tmp_path / "mail"
    port = free_port()
    controller = start_sink("127.0.0.1", port, folder)
    app.config.update(MAIL_PORT=port, MAIL_SINK_DIR=str(folder))
    yield folder
    controller.stop()


def _register_and_send(event, details, **overrides):
    registration = register(event.id, details(**overrides))
    db.session.commit()
    assert send_due()["sent"] == 1
    return registration


def _only_message(folder: Path) -> str:
    [name] = [p.name for p in folder.iterdir() if p.suffix == ".eml"]
    return name


def test_the_sink_writes_one_eml_per_message(app, sink_folder, make_event, details):
    event = make_event()
    _register_and_send(event, details)
    _register_and_send(event, details)
    names = sorted(p.name for p in sink_folder.iterdir())
    assert len(names) == 2
    assert all(name.endswith(".eml") and not name.startswith(".") for name in names)


def test_staff_read_a_received_message(app, sink_folder, staff_client, make_event, details):
    event = make_event(town="Wattrelos")
    registration = _register_and_send(event, details, first_name="Josiane")
    name = _only_message(sink_folder)

    listing = staff_client.get("/admin/courriels/recus/")
    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    assert registration.candidate.email in page
    assert "Votre inscription au Job Dating Tour 50+ est confirmée" in page
    assert f"/admin/courriels/recus/{name}" in page

    response = staff_client.get(f"/admin/courriels/recus/{name}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Bonjour Josiane," in page
    assert registration.display_code in page
    assert f'src="/admin/courriels/recus/{name}/html"' in page
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in page
    assert "billet-qr.png" in page and "job-dating.ics" in page
    assert "&lt;img src=&#34;cid:ticket-qr&#34;" in page  # the HTML source, escaped

    html = staff_client.get(f"/admin/courriels/recus/{name}/html")
    assert html.status_code == 200
    policy = html.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy
    assert "script-src" not in policy
    assert html.headers["X-Frame-Options"] == "SAMEORIGIN"
    body = html.get_data(as_text=True)
    assert 'src="data:image/png;base64,' in body
    assert "cid:" not in body
    assert '<base target="_blank">' in body

    source = staff_client.get(f"/admin/courriels/recus/{name}/source")
    assert source.status_code == 200
    assert source.headers["Content-Disposition"].startswith("attachment")
    assert source.data == (sink_folder / name).read_bytes()


def test_staff_download_the_inline_image_and_the_calendar_file(
    app, sink_folder, staff_client, make_event, details
):
    event = make_event()
    _register_and_send(event, details)
    name = _only_message(sink_folder)
    page = staff_client.get(f"/admin/courriels/recus/{name}").get_data(as_text=True)

    links = {}
    for filename in ("billet-qr.png", "job-dating.ics"):
        before = page.split(f">{filename}</a>")[0]
        links[filename] = before.rsplit('href="', 1)[1].split('"')[0]

    image = staff_client.get(links["billet-qr.png"])
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    assert "attachment" in image.headers["Content-Disposition"]
    assert Image.open(io.BytesIO(image.data)).format == "PNG"

    calendar = staff_client.get(links["job-dating.ics"])
    assert calendar.mimetype == "text/calendar"
    [entry] = Calendar.from_ical(calendar.data).events
    assert entry.decoded("dtstart") == event.starts

    assert staff_client.get(f"/admin/courriels/recus/{name}/parties/99").status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "..%2Foutside.eml",
        "%2E%2E%2Foutside.eml",
        ".hidden.eml",
        "absent.eml",
        "notes.txt",
    ],
)
def test_only_messages_listed_in_the_folder_can_be_opened(
    app, sink_folder, staff_client, make_event, details, name
):
    _register_and_send(make_event(), details)
    (sink_folder.parent / "outside.eml").write_bytes(
        b"Subject: SECRET-OUTSIDE\r\n\r\nSECRET-OUTSIDE\r\n"
    )
    (sink_folder / ".hidden.eml").write_bytes(b"Subject: SECRET-HIDDEN\r\n\r\nSECRET-HIDDEN\r\n")
    (sink_folder / "notes.txt").write_bytes(b"Subject: notes\r\n\r\nnotes\r\n")
    for suffix in ("", "/html", "/source", "/parties/0"):
        response = staff_client.get(f"/admin/courriels/recus/{name}{suffix}")
        assert response.status_code == 404, (name, suffix)
        assert b"SECRET-" not in response.data


def test_email_pages_refuse_anonymous_people(app, sink_folder, client):
    # (The staff client shares the test's application context, hence a separate test.)
    for url in (
        "/admin/courriels/",
        "/admin/courriels/recus/",
        "/admin/courriels/recus/1-1.eml",
        "/admin/courriels/recus/1-1.eml/html",
        "/admin/courriels/recus/1-1.eml/source",
        "/admin/courriels/recus/1-1.eml/parties/0",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/connexion" in response.headers["Location"]
    assert client.post("/admin/courriels/1/reessayer").status_code == 302


def test_the_sample_message_opens_on_every_viewer_page(app, tmp_path, staff_client):
    values = write_received_message(tmp_path / "mail")
    app.config["MAIL_SINK_DIR"] = str(tmp_path / "mail")
    base = f"/admin/courriels/recus/{values['name']}"
    for url in ("/admin/courriels/recus/", base, f"{base}/html", f"{base}/source"):
        assert staff_client.get(url).status_code == 200, url
    part = staff_client.get(f"{base}/parties/{values['index']}")
    assert part.status_code == 200 and part.mimetype == "image/png"


#: A message as a careless or hostile sender writes it: an unknown charset, and attachment
#: names with a line break, a NUL, a folder, raw bytes that are not text, accents.
ODD_MESSAGE = b"""Subject: odd
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: multipart/alternative; boundary="a"

--a
Content-Type: text/plain; charset=garbage-xx

Bonjour, texte en charset inconnu.
--a
Content-Type: text/html; charset=nonexistent

<p>Bonjour en HTML</p>
--a--
--b
Content-Type: application/pdf
Content-Disposition: attachment; filename*=utf-8''a%0D%0Ab%00c.pdf

%PDF-1.4
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="\xff\xfe.bin"

data
--b
Content-Type: application/pdf
Content-Disposition: attachment; filename="../../etc/Relev\xc3\xa9 \xc3\xa9t\xc3\xa9.pdf"

%PDF-1.4
--b--
""".replace(b"\n", b"\r\n")


def test_a_message_in_an_unknown_charset_with_odd_file_names_opens(app, tmp_path, staff_client):
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "1000000000000000001-1.eml").write_bytes(ODD_MESSAGE)
    app.config["MAIL_SINK_DIR"] = str(folder)
    base = "/admin/courriels/recus/1000000000000000001-1.eml"
    page = staff_client.get(base)
    assert page.status_code == 200
    assert "Bonjour, texte en charset inconnu." in page.get_data(as_text=True)
    assert staff_client.get(f"{base}/html").status_code == 200
    dispositions = []
    for index in (2, 3, 4):  # the attachments, after the two bodies
        part = staff_client.get(f"{base}/parties/{index}")
        assert part.status_code == 200, index
        dispositions.append(part.headers["Content-Disposition"])
    assert dispositions[0] == "attachment; filename=abc.pdf"
    assert dispositions[1].endswith(".bin")  # the bytes that were no text, replaced
    assert "filename*=UTF-8''Relev%C3%A9%20%C3%A9t%C3%A9.pdf" in dispositions[2]


def test_received_pages_only_with_the_development_sink(app, staff_client):
    app.config["MAIL_SINK_DIR"] = None
    listing = staff_client.get("/admin/courriels/recus/")
    assert listing.status_code == 200
    assert "Aucun serveur de courriel de développement" in listing.get_data(as_text=True)
    assert staff_client.get("/admin/courriels/recus/1-1.eml").status_code == 404
    page = staff_client.get("/admin/courriels/").get_data(as_text=True)
    assert "Courriels reçus" not in page


def _outbox_rows(make_event, details, count):
    event = make_event()
    for _ in range(count):
        register(event.id, details())
    db.session.commit()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_outbox_list_in_french_with_a_status_filter(app, staff_client, make_event, details):
    pending, failed, sent = _outbox_rows(make_event, details, 3)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == failed.id)
        .values(
            status=OutboxStatus.FAILED, attempts=12, last_error="refusé : 550 Mailbox unavailable"
        )
    )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == sent.id)
        .values(status=OutboxStatus.SENT, attempts=1, sent_at=utcnow())
    )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == pending.id)
        .values(attempts=2, next_attempt_at=utcnow() + timedelta(minutes=4))
    )
    db.session.commit()

    page = staff_client.get("/admin/courriels/").get_data(as_text=True)
    assert "Choisissez un état" not in page  # no filter is not an error
    for text in (
        "En attente",
        "En échec",
        "Envoyé",
        "prochain essai le",
        "550 Mailbox unavailable",
    ):
        assert text in page
    assert page.count("Réessayer") == 1
    assert f"/admin/courriels/{failed.id}/reessayer" in page
    assert 'name="csrf_token"' in page

    filtered = staff_client.get("/admin/courriels/?statut=failed").get_data(as_text=True)
    assert failed.recipient in filtered
    assert pending.recipient not in filtered and sent.recipient not in filtered

    unknown = staff_client.get("/admin/courriels/?statut=nimporte")
    assert unknown.status_code == 200
    assert pending.recipient in unknown.get_data(as_text=True)


def test_staff_retry_a_failed_message(app, staff_client, make_event, details):
    failed, sent = _outbox_rows(make_event, details, 2)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == failed.id)
        .values(status=OutboxStatus.FAILED, attempts=12)
    )
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == sent.id).values(status=OutboxStatus.SENT)
    )
    db.session.commit()

    response = staff_client.post(f"/admin/courriels/{failed.id}/reessayer", follow_redirects=True)
    assert response.status_code == 200
    assert "remis dans la file" in response.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.get(OutboxMessage, failed.id)
    assert row.status == OutboxStatus.PENDING and row.attempts == 0

    response = staff_client.post(f"/admin/courriels/{sent.id}/reessayer", follow_redirects=True)
    assert "rien à réessayer" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, sent.id).status == OutboxStatus.SENT


def test_retry_needs_the_csrf_token(app, staff_client, make_event, details):
    [failed] = _outbox_rows(make_event, details, 1)
    db.session.execute(update(OutboxMessage).values(status=OutboxStatus.FAILED))
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    response = staff_client.post(f"/admin/courriels/{failed.id}/reessayer")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed.id).status == OutboxStatus.FAILED
