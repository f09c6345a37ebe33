"""Small real files of each kind a CV may be, for the CV tests."""

import io
import zipfile

from PIL import Image


def pdf(size: int = 0) -> bytes:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return body + b"%" * max(0, size - len(body))


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def spreadsheet_zip() -> bytes:
    """A zip that is no text document (an .xlsx-like archive)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def broken_odt(fault: str) -> bytes:
    """An .odt whose "mimetype" member cannot be read: marked "encrypted", packed with a
    compression method zipfile does not know (97), or its deflated data corrupt."""
    buffer = io.BytesIO()
    packing = zipfile.ZIP_DEFLATED if fault == "corrupt" else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", compression=packing) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    content = bytearray(buffer.getvalue())
    central = content.index(b"PK\x01\x02")
    if fault == "encrypted":
        content[6] |= 1  # general purpose flags: bit 0, encrypted
        content[central + 8] |= 1
    elif fault == "method":
        content[8:10] = content[central + 10 : central + 12] = (97).to_bytes(2, "little")
    else:
        start = 30 + len("mimetype")  # the first member's data, after its local header
        content[start : start + 4] = b"\xff\xff\xff\xff"
    return bytes(content)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(buffer, "PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(buffer, "JPEG")
    return buffer.getvalue()
