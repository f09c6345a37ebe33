"""Background jobs: APScheduler in its own process (`flask jobs run`), job store in the database.

Jobs are referenced by name and run inside an application context; each is idempotent and can
be run by hand with `flask jobs run-one NAME`.
"""

import contextlib
import logging
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup

log = logging.getLogger(__name__)

jobs = AppGroup("jobs", help="Tâches de fond (envoi des courriels, rappels).")

#: The application the scheduler's jobs run in (set by `flask jobs run`).
_app: Flask | None = None


def _send_outbox() -> None:
    from app.notifications.services import send_due

    counts = send_due()
    if any(counts.values()):
        log.info("outbox: %s", counts)


def _send_event_reminders() -> None:
    from app.candidates.jobs import send_event_reminders

    log.info("reminders queued: %s", send_event_reminders())


JOBS: dict[str, Callable[[], None]] = {
    "send_outbox": _send_outbox,
    "send_event_reminders": _send_event_reminders,
}


def run_job(name: str) -> None:
    """Entry point stored in the job store: run JOBS[name] in an app context."""
    app = _app or current_app._get_current_object()
    with app.app_context():
        from app.extensions import db

        try:
            JOBS[name]()
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", name)
        finally:
            db.session.remove()


def build_scheduler(app: Flask, scheduler_class=None):
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler_class = scheduler_class or BlockingScheduler
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    scheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(url=url, tablename="apscheduler_jobs")},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
        timezone="Europe/Paris",
    )
    scheduler.add_job(
        "app.jobs:run_job",
        "interval",
        args=["send_outbox"],
        id="send_outbox",
        seconds=app.config["OUTBOX_INTERVAL_SECONDS"],
        replace_existing=True,
    )
    scheduler.add_job(
        "app.jobs:run_job",
        "cron",
        args=["send_event_reminders"],
        id="send_event_reminders",
        minute=5,
        replace_existing=True,
    )
    return scheduler


@jobs.command("run")
def run() -> None:
    """Start the scheduler (runs until stopped)."""
    global _app
    _app = current_app._get_current_object()
    scheduler = build_scheduler(_app)
    click.echo("Tâches de fond démarrées (Ctrl+C pour arrêter).")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


@jobs.command("run-one")
@click.argument("name", type=click.Choice(sorted(JOBS)))
def run_one(name: str) -> None:
    """Run one job now."""
    JOBS[name]()
    click.echo(f"{name} : terminé")
