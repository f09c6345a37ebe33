"""`flask outbox …` and `flask mail …`: send queued emails; the development SMTP sink."""

import click
from flask import current_app
from flask.cli import AppGroup

from app.notifications.services import send_due

outbox = AppGroup("outbox", help="File d'attente des courriels.")
mail_cli = AppGroup("mail", help="Courriels en développement.")


@outbox.command("send")
def send() -> None:
    """Send the emails that are due, once."""
    counts = send_due()
    click.echo(
        f"envoyés : {counts['sent']}, à réessayer : {counts['retry']}, en échec : {counts['failed']}"
    )


@mail_cli.command("sink")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8025, type=int)
def sink(host: str, port: int) -> None:
    """Receive emails on HOST:PORT and write them to MAIL_SINK_DIR (development only)."""
    from app.notifications.sink import run_sink

    folder = current_app.config.get("MAIL_SINK_DIR") or str(current_app.instance_path + "/mail")
    click.echo(f"Serveur SMTP de développement sur {host}:{port}, messages dans {folder}")
    run_sink(host, port, folder)
