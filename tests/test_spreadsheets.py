"""The generic .xlsx writer: formula injection neutralised, real dates, frozen header."""

import io
from datetime import UTC, date, datetime, time

import pytest
from openpyxl import load_workbook

from app.spreadsheets import write_xlsx


def read_back(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).active
    return sheet, [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","clic")',
        "+33612345678",
        "-1+1",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_text_that_a_spreadsheet_would_evaluate_is_quoted(text):
    sheet, rows = read_back(write_xlsx(["Nom"], [[text]]))
    assert rows[1] == ["'" + text.replace("\r", "\n")]  # XML reads a CR back as LF
    assert sheet["A2"].data_type == "s"


def test_other_values_are_kept_as_they_are():
    row = ["Dupont", "Marie-Claire", 42, -3, 1.5, True, None, "a = b", "O'Neil"]
    _sheet, rows = read_back(write_xlsx([f"c{i}" for i in range(len(row))], [row]))
    assert rows[1] == row


def test_dates_are_real_dates_in_paris_time():
    sheet, rows = read_back(
        write_xlsx(
            ["Jour", "Moment", "Heure"],
            [[date(2026, 10, 14), datetime(2026, 7, 1, 7, 45, tzinfo=UTC), time(9, 30)]],
        )
    )
    assert rows[1] == [datetime(2026, 10, 14), datetime(2026, 7, 1, 9, 45), time(9, 30)]
    assert sheet["A2"].is_date and sheet["A2"].number_format == "DD/MM/YYYY"
    assert sheet["B2"].number_format == "DD/MM/YYYY HH:MM"


def test_header_is_frozen_and_columns_fit_their_content():
    sheet, rows = read_back(
        write_xlsx(["Nom", "CP"], [["Marie-Françoise de La Tour d'Auvergne", "59000"]])
    )
    assert rows[0] == ["Nom", "CP"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["A"].width > 30
    assert 8 <= sheet.column_dimensions["B"].width < 12


def test_characters_xml_forbids_are_dropped_and_the_sheet_is_named():
    sheet, rows = read_back(
        write_xlsx(
            ["Nom"], [["Ma\x00rie\x0b"]], sheet_title="Inscriptions: Tourcoing/2026 [export]"
        )
    )
    assert rows[1] == ["Marie"]
    assert sheet.title == "Inscriptions Tourcoing2026 expo"
