"""Calendar (.ics) files."""

from datetime import datetime

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
    """Return one VEVENT as an iCalendar file; `starts`/`ends` must be timezone-aware."""
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
    return calendar.to_ical()
