"""Jinja filters that show dates, times and numbers the French way (Europe/Paris)."""

from datetime import date, datetime, time

from flask_babel import format_date, format_datetime, format_decimal, get_locale

from app.events.models import PARIS


def long_date(value: date) -> str:
    """ "samedi 14 octobre 2023"."""
    return format_date(value, "EEEE d MMMM y")


def short_date(value: date) -> str:
    return format_date(value, "d MMM y")


def hour(value: time | datetime) -> str:
    """ "9 h 30" in French, "9:30" in English."""
    if isinstance(value, datetime):
        value = value.astimezone(PARIS).time()
    if str(get_locale()) == "fr":
        # Non-breaking spaces: "12 h 30" never splits across lines.
        return (
            f"{value.hour}\u00a0h\u00a0{value.minute:02d}"
            if value.minute
            else f"{value.hour}\u00a0h"
        )
    return f"{value.hour}:{value.minute:02d}"


def clock(label: str) -> str:
    """A "HH:MM" time of a schedule, shown like `hour`: "09:20" as "9 h 20"."""
    hours, minutes = label.split(":")
    return hour(time(int(hours), int(minutes)))


def number(value: float, digits: int = 1) -> str:
    """ "98,5" in French, "98.5" in English."""
    return format_decimal(round(value, digits), format="#,##0." + "0" * digits)


def local_datetime(value: datetime) -> str:
    return format_datetime(value, "d MMM y, HH:mm")


def phone(value: str | None) -> str:
    """ "+33612345678" shown as "06 12 34 56 78"."""
    if not value:
        return ""
    if value.startswith("+33") and len(value) == 12:
        digits = "0" + value[3:]
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return value


def file_size(size: int) -> str:
    """ "240 Ko", "1,2 Mo" in French; "240 KB", "1.2 MB" in English."""
    french = str(get_locale()) == "fr"
    if size < 1024 * 1024:
        number, unit = max(1, round(size / 1024)), "Ko" if french else "KB"
    else:
        number, unit = round(size / (1024 * 1024), 1), "Mo" if french else "MB"
    return f"{format_decimal(number)}\u00a0{unit}"


FILTERS = {
    "clock": clock,
    "number": number,
    "file_size": file_size,
    "long_date": long_date,
    "short_date": short_date,
    "hour": hour,
    "local_datetime": local_datetime,
    "phone": phone,
}
