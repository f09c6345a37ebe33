"""Imports every model so that the metadata (and Alembic) sees all tables."""

from app.auth.models import User  # noqa: F401
from app.candidates.models import Candidate, Registration  # noqa: F401
from app.events.models import Event, Tour, Venue  # noqa: F401
from app.notifications.models import OutboxMessage  # noqa: F401
