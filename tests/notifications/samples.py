"""A received message in a sink folder, for tests that open the mail viewer's pages (e.g. the
URL map walk in tests/test_access.py)."""

from email.message import EmailMessage
from pathlib import Path

from app.notifications import mailbox


def write_received_message(folder: str | Path) -> dict:
    """Write one .eml (text, HTML, an inline image, an attachment) into `folder`.

    Returns the URL values of the viewer's pages: {"name": file name, "index": a part}.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    message = EmailMessage()
    message["Subject"] = "Votre inscription est confirmée"
    message["From"] = "ne-pas-repondre@jobdating50.example"
    message["To"] = "sylvie.martin@exemple.fr"
    message.set_content("Bonjour Sylvie,\n")
    message.add_alternative('<p>Bonjour Sylvie,</p><img src="cid:ticket-qr">', subtype="html")
    message.get_payload()[1].add_related(
        b"\x89PNG\r\n\x1a\n", "image", "png", cid="<ticket-qr>", filename="billet-qr.png"
    )
    message.add_attachment(
        b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text", "calendar", filename="job-dating.ics"
    )
    name = "1000000000000000000-1.eml"
    (folder / name).write_bytes(message.as_bytes())
    index = mailbox.parts(mailbox.read_message(folder, name))[0].index
    return {"name": name, "index": index}
