"""Background jobs: APScheduler in its own process (`flask jobs run`), job store in the database.

The job store (table `apscheduler_jobs`, created by APScheduler, ignored by Alembic) holds
`app.jobs:run_job` with the job's name as its only argument: no object is pickled, so jobs
survive code changes. Each job is idempotent, runs in an application context of its own, and
can be run by hand with `flask jobs run-one NAME`. Running two job processes by mistake is
harmless (the outbox claims each message once; reminders are deduplicated) but wasteful.
"""

import contextlib
import logging
import signal
from collections.abc import Callable

import click
from flask import Flask, current_app, has_app_context
from flask.cli import AppGroup

log = logging.getLogger(__name__)

jobs = AppGroup(
    "jobs", help="Tâches de fond (envoi des courriels, rappels, anonymisation des données)."
)

#: The application the scheduler's jobs run in, from its worker threads (set by
#: `build_scheduler`); code that already has an application context uses that one.
_app: Flask | None = None


def _send_outbox() -> None:
    from app.notifications.services import send_due

    counts = send_due()
    if any(counts.values()):
        log.info("outbox: %s", counts)


def _send_event_reminders() -> None:
    from app.candidates.jobs import send_event_reminders

    log.info("reminders queued: %s", send_event_reminders())


def _anonymise_expired_candidates() -> None:
    from app.candidates.jobs import anonymise_expired_candidates

    log.info("candidates anonymised: %s", anonymise_expired_candidates())


def _send_employer_day_schedules() -> None:
    from app.interviews.jobs import send_employer_day_schedules

    log.info("employer day schedules queued: %s", send_employer_day_schedules())


JOBS: dict[str, Callable[[], None]] = {
    "send_outbox": _send_outbox,
    "send_event_reminders": _send_event_reminders,
    "anonymise_expired_candidates": _anonymise_expired_candidates,
    "send_employer_day_schedules": _send_employer_day_schedules,
}


def run_job(name: str) -> None:
    """Entry point stored in the job store: run JOBS[name] in an app context of its own.

    An error rolls the job's open transaction back and is raised again (the scheduler logs
    it; `flask jobs run-one` exits with an error).
    """
    app = current_app._get_current_object() if has_app_context() else _app
    with app.app_context():
        from app.extensions import db

        try:
            JOBS[name]()
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", name)
            raise
        finally:
            db.session.remove()


def build_scheduler(app: Flask, scheduler_class=None):
    """A scheduler (BlockingScheduler by default) with the jobs in the app's database.

    Call inside an application context. Jobs are (re)written with `replace_existing`, so a
    change of interval takes effect at the next start.
    """
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler

    from app.extensions import db

    global _app
    _app = app
    scheduler_class = scheduler_class or BlockingScheduler
    scheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(engine=db.engine, tablename="apscheduler_jobs")},
        executors={"default": {"type": "threadpool", "max_workers": 4}},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
        timezone="Europe/Paris",
    )
    scheduler.add_job(
        "app.jobs:run_job",
        "interval",
        args=["send_outbox"],
        id="send_outbox",
        name="send_outbox",
        seconds=app.config["OUTBOX_INTERVAL_SECONDS"],
        replace_existing=True,
    )
    # Every hour in the daytime (Paris): the reminder arrives at a decent hour, and an hour
    # missed (runner stopped) is caught up by the next one.
    scheduler.add_job(
        "app.jobs:run_job",
        "cron",
        args=["send_event_reminders"],
        id="send_event_reminders",
        name="send_event_reminders",
        hour="8-20",
        minute=5,
        replace_existing=True,
    )
    # The afternoon before an étape (Paris), when bookings have settled; an hour missed is
    # caught up by the next one, and the outbox's dedupe key sends each schedule once.
    scheduler.add_job(
        "app.jobs:run_job",
        "cron",
        args=["send_employer_day_schedules"],
        id="send_employer_day_schedules",
        name="send_employer_day_schedules",
        hour="16-20",
        minute=10,
        replace_existing=True,
    )
    # Once a day, at night (Paris); a night missed (runner stopped) is caught up the next.
    scheduler.add_job(
        "app.jobs:run_job",
        "cron",
        args=["anonymise_expired_candidates"],
        id="anonymise_expired_candidates",
        name="anonymise_expired_candidates",
        hour=3,
        minute=30,
        replace_existing=True,
    )
    return scheduler


@jobs.command("run")
def run() -> None:
    """Start the scheduler (runs until stopped)."""
    scheduler = build_scheduler(current_app._get_current_object())
    # One line per run of each job is noise; errors and the jobs' own messages remain.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    # `kill` (as from scripts/run-dev.sh or a service manager) lets running jobs finish.
    signal.signal(signal.SIGTERM, lambda signum, frame: scheduler.shutdown())
    click.echo("Tâches de fond démarrées (Ctrl+C pour arrêter).")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


@jobs.command("run-one")
@click.argument("name", type=click.Choice(sorted(JOBS)))
def run_one(name: str) -> None:
    """Run one job now."""
    run_job(name)
    click.echo(f"{name} : terminé")
