"""`flask schedule …`: an étape's interview scheduling from the command line."""

import json
import sys
import time

import click
from flask.cli import AppGroup

from app.events.models import Event
from app.extensions import db
from app.interviews.services import scheduling

schedule = AppGroup("schedule", help="Planning automatique des entretiens d'une étape.")


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        click.echo(f"Étape {event_id} introuvable.", err=True)
        sys.exit(2)
    return event


@schedule.command("export")
@click.argument("event_id", type=int, metavar="EVENT")
@click.argument("path", type=click.Path(dir_okay=False, writable=True), metavar="FILE.json")
def export(event_id: int, path: str) -> None:
    """Write the étape as a scheduler instance (spec/scheduling.md)."""
    instance = scheduling.export_instance(_event(event_id)).instance
    with open(path, "w", encoding="utf-8") as file:
        json.dump(instance, file, ensure_ascii=False, indent=1)
    click.echo(
        f"{len(instance['candidates'])} candidats, {len(instance['employers'])} employeurs, "
        f"{len(instance['fixed'])} entretiens fixés : {path}"
    )


@schedule.command("run")
@click.argument("event_id", type=int, metavar="EVENT")
@click.option("--publish", is_flag=True, help="Réserver les entretiens et prévenir chacun.")
@click.option("--method", type=click.Choice(["auto", "greedy", "exact", "cpsat"]), default="auto")
@click.option(
    "--time-limit", type=float, default=None, help="Secondes (par défaut selon la taille)."
)
@click.option("--seed", type=int, default=0)
def run(event_id: int, publish: bool, method: str, time_limit: float | None, seed: int) -> None:
    """Schedule the étape; with --publish, book the interviews and notify people."""
    event = _event(event_id)
    started = time.monotonic()

    def progress(fraction: float, message: str) -> None:
        # On stderr, so that the summary on stdout stays one line to read or parse.
        seconds = time.monotonic() - started
        click.echo(f"[{fraction:4.0%}] {seconds:5.1f} s  {message}", err=True)

    try:
        _export, solution = scheduling.solve_event(
            event, method=method, time_limit=time_limit, seed=seed, progress=progress
        )
    except scheduling.SchedulingError as error:
        click.echo(error.message, err=True)
        sys.exit(2)
    stats, base = solution["stats"], solution["baseline"]
    click.echo(
        f"{stats['scheduled']} entretiens sur une borne de {stats['upper_bound']} "
        f"(ratio {stats['ratio']:.3f}, méthode {stats['method']}, {stats['seconds']:.1f} s) ; "
        f"{stats['candidates_without_interview']} candidat(s) sans entretien. "
        f"Premier arrivé, premier servi : {base['scheduled']} entretiens, "
        f"{base['candidates_without_interview']} sans entretien."
    )
    if not publish:
        return
    try:
        booked = scheduling.publish(event, solution)
    except scheduling.SchedulingError as error:
        db.session.rollback()
        click.echo(error.message, err=True)
        sys.exit(2)
    db.session.commit()
    click.echo(f"Publié : {len(booked)} nouveaux entretiens réservés.")
