"""Calendar (.ics) files."""

from datetime import datetime, timedelta

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from app.db import utcnow


def event_ics(
    *,
    uid: str,
    summary: str,
    starts: datetime,
    ends: datetime,
    location: str,
    description: str,
    url: str | None = None,
) -> bytes:
    """Return one VEVENT as an iCalendar file; `starts`/`ends` must be timezone-aware.

    Times keep their zone (DTSTART;TZID=Europe/Paris) and the file carries the matching
    VTIMEZONE, so every calendar shows the étape at the local hour.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Job Dating Tour 50+//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", uid)
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", starts)
    entry.add("dtend", ends)
    entry.add("summary", summary)
    entry.add("location", location)
    entry.add("description", description)
    if url:
        entry.add("url", url)
    calendar.add_component(entry)
    calendar.add_missing_timezones(
        first_date=(starts - timedelta(days=366)).date(),
        last_date=(ends + timedelta(days=366)).date(),
    )
    return calendar.to_ical()
