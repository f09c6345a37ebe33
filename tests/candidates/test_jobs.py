"""The daily job that anonymises the people not in contact for the retention period."""

import logging
from datetime import timedelta

from app import jobs
from app.candidates.jobs import anonymise_expired_candidates
from app.candidates.models import Candidate, Registration, RegistrationSource, RegistrationStatus
from app.candidates.services import register
from app.extensions import db


def _registration_at(make_event, details, *, days_ago: int) -> Registration:
    """Someone registered (by phone) at an étape `days_ago` days ago, unchanged since."""
    event = make_event(days_ahead=-days_ago, opens_in=-days_ago - 100)
    registration = register(
        event.id, details(), source=RegistrationSource.PHONE, today=event.date - timedelta(days=5)
    )
    db.session.commit()
    registration.candidate.updated_at = registration.candidate.created_at - timedelta(days=days_ago)
    db.session.commit()
    return registration


def test_job_anonymises_people_past_the_retention_setting_only(app, make_event, details):
    app.config["RETENTION_MONTHS"] = 12
    expired = _registration_at(make_event, details, days_ago=400)
    recent = _registration_at(make_event, details, days_ago=300)

    assert anonymise_expired_candidates() == 1
    db.session.rollback()  # the job committed its work
    assert expired.candidate.anonymised_at is not None
    assert expired.candidate.email is None
    assert expired.status == RegistrationStatus.CONFIRMED  # a past étape keeps its figures
    assert recent.candidate.anonymised_at is None
    assert recent.candidate.email is not None
    assert anonymise_expired_candidates() == 0


def test_run_job_logs_how_many_were_anonymised(app, make_event, details, caplog):
    expired_id = _registration_at(make_event, details, days_ago=800).candidate_id
    db.session.close()
    caplog.set_level(logging.INFO, logger="app.jobs")

    jobs.run_job("anonymise_expired_candidates")
    assert "candidates anonymised: 1" in caplog.text
    assert db.session.get(Candidate, expired_id).anonymised_at is not None
    db.session.close()
    caplog.clear()
    jobs.run_job("anonymise_expired_candidates")
    assert "candidates anonymised: 0" in caplog.text


def test_anonymise_command_runs_the_job(app, runner, make_event, details):
    expired_id = _registration_at(make_event, details, days_ago=800).candidate_id
    db.session.close()

    result = runner.invoke(args=["jobs", "run-one", "anonymise_expired_candidates"])
    assert result.exit_code == 0, result.output
    assert "anonymise_expired_candidates : terminé" in result.output
    candidate = db.session.get(Candidate, expired_id)
    assert candidate.anonymised_at is not None and candidate.email is None
