"""What a CV file is, read from its content (never from the browser's word), a clean name
to keep it under, and the download response."""

import io
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from flask import Response, send_file


@dataclass(frozen=True)
class DocumentType:
    content_type: str
    extension: str
    label: str


PDF = DocumentType("application/pdf", "pdf", "PDF")
DOCX = DocumentType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word"
)
DOC = DocumentType("application/msword", "doc", "Word")
ODT = DocumentType("application/vnd.oasis.opendocument.text", "odt", "OpenDocument")
JPEG = DocumentType("image/jpeg", "jpg", "JPEG")
PNG = DocumentType("image/png", "png", "PNG")

#: The kinds of CV accepted, by content type.
CV_TYPES = {kind.content_type: kind for kind in (PDF, DOCX, DOC, ODT, JPEG, PNG)}

_OLE_HEADER = bytes.fromhex("D0CF11E0A1B11AE1")


def _zip_document(content: bytes) -> DocumentType | None:
    """A Word (.docx) or OpenDocument (.odt) text, told apart by their member names."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
            if (
                "mimetype" in names
                and archive.getinfo("mimetype").file_size < 100
                and archive.read("mimetype").strip() == ODT.content_type.encode()
            ):
                return ODT
    except (
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        OSError,
        EOFError,
        RuntimeError,  # a member encrypted
        NotImplementedError,  # a compression method zipfile does not know
        zlib.error,  # corrupt compressed data
    ):
        return None
    return None


def detect_type(content: bytes) -> DocumentType | None:
    """The document type of `content`, or None when it is none of CV_TYPES."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"PK\x03\x04"):
        return _zip_document(content)
    if content.startswith(_OLE_HEADER):
        return DOC
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def clean_filename(filename: str, kind: DocumentType, fallback: str = "CV") -> str:
    """The last part of the browser's file name, without control characters or path
    separators, at most 100 characters, ending with the extension of what the file is."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    stem = name.rsplit(".", 1)[0].strip(" .") if "." in name else name
    stem = stem[:95].strip(" .") or fallback
    return f"{stem}.{kind.extension}"


def cv_download(cv) -> Response:
    """The CV file as a download, never cached (it is personal data)."""
    response = send_file(
        io.BytesIO(cv.content),
        mimetype=cv.content_type,
        as_attachment=True,
        download_name=cv.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
