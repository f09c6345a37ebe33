"""Settings, read from the environment (and from an optional `.env` file)."""

import os
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'jobdating.sqlite3'}")
    # Heroku-style URLs and plain "postgresql://" both go through psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def from_environment() -> dict:
    """Return the application settings taken from environment variables."""
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", "dev-only-change-me"),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "ORGANISER_NAME": os.environ.get("ORGANISER_NAME", "Association Emploi Métropole Lilloise"),
        "ORGANISER_EMAIL": os.environ.get("ORGANISER_EMAIL", "contact@jobdating50.example"),
        "ORGANISER_PHONE": os.environ.get("ORGANISER_PHONE", "03 20 00 00 00"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "8025")),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Job Dating Tour 50+ <ne-pas-repondre@jobdating50.example>"
        ),
        "MAIL_TIMEOUT": int(os.environ.get("MAIL_TIMEOUT", "10")),
        #: Folder where the development SMTP sink writes messages; the staff-only
        #: mail viewer is shown only when this is set.
        "MAIL_SINK_DIR": os.environ.get("MAIL_SINK_DIR"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE"),
        "RETENTION_MONTHS": int(os.environ.get("RETENTION_MONTHS", "24")),
        "REMINDER_DAYS_BEFORE": int(os.environ.get("REMINDER_DAYS_BEFORE", "2")),
        "OUTBOX_INTERVAL_SECONDS": int(os.environ.get("OUTBOX_INTERVAL_SECONDS", "15")),
        #: Reverse proxies in front of the app (0: none). Their X-Forwarded-For and
        #: X-Forwarded-Proto are then trusted, so that rate limits count each client.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
    }


DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Requests larger than this get the friendly 413 page.
    "MAX_CONTENT_LENGTH": 512 * 1024,
    "MAX_FORM_MEMORY_SIZE": 256 * 1024,
    #: Largest CV a candidate may upload; the upload page alone accepts requests this large.
    "CV_MAX_BYTES": 5 * 1024 * 1024,
    "MAX_FORM_PARTS": 200,
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
    "LANGUAGES": ("fr", "en"),
    "WTF_CSRF_TIME_LIMIT": None,
    "OUTBOX_MAX_ATTEMPTS": 12,
    "OUTBOX_BATCH_SIZE": 50,
}
