"""One generic .xlsx writer for every export: `(headers, rows)` in, the file's bytes out.

Text that a spreadsheet would read as a formula (it starts with = + - @, a tab or a carriage
return) is neutralised with a leading apostrophe, so that a candidate called
"=HYPERLINK(…)" stays a name and never becomes a live formula (CSV/formula injection).
Dates and times are written as real Excel dates (aware datetimes in Europe/Paris time).
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

PARIS = ZoneInfo("Europe/Paris")

#: First characters that make Excel, LibreOffice or Google Sheets evaluate a cell.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
TIME_FORMAT = "HH:MM"

MIN_WIDTH = 8
MAX_WIDTH = 60


def neutralise(value: str) -> str:
    """Make a text inert for spreadsheets: strip characters XML forbids, quote formulas."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _cell_value(value):
    """What is written in a cell, and the number format it needs (or None)."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(PARIS).replace(tzinfo=None)
        return value, DATETIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if isinstance(value, time):
        return value, TIME_FORMAT
    if isinstance(value, int | float):
        return value, None
    return neutralise(str(value)), None


def _display_width(value, number_format) -> int:
    if value is None:
        return 0
    if number_format is not None:
        return len(number_format)
    return max((len(line) for line in str(value).splitlines()), default=0)


def write_xlsx(
    headers: Sequence[str], rows: Iterable[Sequence], *, sheet_title: str = "Export"
) -> bytes:
    """Write one sheet: a bold, frozen header row, then `rows`; return the .xlsx bytes."""
    workbook = Workbook()
    sheet = workbook.active
    # Excel refuses these characters in a sheet name, and names longer than 31 characters.
    sheet.title = sheet_title.translate(str.maketrans("", "", "[]:*?/\\"))[:31] or "Export"
    widths = [len(str(header)) for header in headers]

    sheet.append([neutralise(str(header)) for header in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE5EE")
        cell.alignment = Alignment(vertical="top", wrap_text=True)

    for row_number, row in enumerate(rows, start=2):
        for column_number, raw in enumerate(row, start=1):
            value, number_format = _cell_value(raw)
            cell = sheet.cell(row=row_number, column=column_number, value=value)
            if value is not None and isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever openpyxl guesses
            if number_format:
                cell.number_format = number_format
            if column_number <= len(widths):
                widths[column_number - 1] = max(
                    widths[column_number - 1], _display_width(value, number_format)
                )

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(width + 2, MIN_WIDTH), MAX_WIDTH
        )
    sheet.freeze_panes = "A2"
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(sheet.max_row, 1)}"

    output = BytesIO()
    workbook.save(output)
    return output.getvalue()
