"""Imports every model so that the metadata (and Alembic) sees all tables."""

from app.auth.models import SignInToken, User  # noqa: F401
from app.candidates.models import Candidate, CurriculumVitae, Registration  # noqa: F401
from app.checkin.models import CheckIn, CheckInAttempt, CheckInDevice  # noqa: F401
from app.employers.models import (  # noqa: F401
    Company,
    EmployerMember,
    Establishment,
    JobOffer,
    Participation,
)
from app.events.models import Event, Tour, Venue  # noqa: F401
from app.interviews.models import (  # noqa: F401
    Interview,
    ProfileAccess,
    ProfileReview,
    ScheduleRun,
    Slot,
    Wish,
)
from app.notifications.models import OutboxMessage  # noqa: F401
