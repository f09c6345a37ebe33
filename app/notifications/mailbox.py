"""Reading the development SMTP sink's folder (MAIL_SINK_DIR) for the staff mail viewer.

Only names listed in the folder are ever opened: a name that is not exactly one of the `.eml`
files there (path separators, `..`, hidden files) is treated as missing.
"""

import base64
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

_NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*\.eml$")
_CID_SOURCE = re.compile(r"""(src\s*=\s*["']?)cid:([^"'\s>]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class ReceivedSummary:
    """One line of the list of received messages."""

    name: str
    received: datetime
    recipient: str
    subject: str


@dataclass(frozen=True)
class Part:
    """A leaf MIME part shown as a download (inline image or attachment)."""

    index: int
    content_type: str
    filename: str
    size: int
    content_id: str | None
    inline: bool


def _names(folder: Path) -> list[str]:
    try:
        return [name for name in os.listdir(folder) if _NAME.match(name)]
    except FileNotFoundError:
        return []


def _path_of(folder: Path, name: str) -> Path | None:
    """The file for `name` if, and only if, it is one of the messages listed in `folder`."""
    if name not in _names(folder):
        return None
    path = folder / name
    return path if path.is_file() else None


def _received(headers, path: Path) -> datetime:
    try:
        value = parsedate_to_datetime(headers["Date"])
    except (TypeError, ValueError, IndexError):
        value = None
    if value is None or value.tzinfo is None:
        value = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return value


def list_received(folder: str | os.PathLike, limit: int = 200) -> list[ReceivedSummary]:
    """The newest messages first (by arrival in the folder), at most `limit`."""
    folder = Path(folder)
    paths = sorted(
        (folder / name for name in _names(folder)),
        key=lambda path: (path.stat().st_mtime_ns, path.name),
        reverse=True,
    )[:limit]
    parser = BytesHeaderParser(policy=policy.default)
    summaries = []
    for path in paths:
        with path.open("rb") as file:
            headers = parser.parse(file)
        summaries.append(
            ReceivedSummary(
                name=path.name,
                received=_received(headers, path),
                recipient=str(headers.get("To", "")),
                subject=str(headers.get("Subject", "")),
            )
        )
    return summaries


def read_raw(folder: str | os.PathLike, name: str) -> bytes | None:
    path = _path_of(Path(folder), name)
    return path.read_bytes() if path else None


def read_message(folder: str | os.PathLike, name: str) -> EmailMessage | None:
    raw = read_raw(folder, name)
    if raw is None:
        return None
    return BytesParser(policy=policy.default).parsebytes(raw)


def _leaves(message: EmailMessage) -> list[EmailMessage]:
    return [part for part in message.walk() if not part.is_multipart()]


def body(message: EmailMessage, subtype: str) -> str | None:
    """The text/plain or text/html body, as text (read as UTF-8 when its charset is one
    Python does not know)."""
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_type() != f"text/{subtype}":
        return None
    try:
        return part.get_content()
    except LookupError:
        return (part.get_payload(decode=True) or b"").decode("utf-8", "replace")


def _file_name(part: EmailMessage, index: int) -> str:
    """The part's file name as sent, without folders, control characters or bytes that
    were not text (all of which would break a download's header), at most 100 characters."""
    name = (part.get_filename() or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    return name[:100] or f"partie-{index}"


def parts(message: EmailMessage) -> list[Part]:
    """Every leaf part except the text and HTML bodies, numbered for `part_content`."""
    bodies = {id(message.get_body(preferencelist=(kind,))) for kind in ("plain", "html")}
    found = []
    for index, part in enumerate(_leaves(message)):
        if id(part) in bodies:
            continue
        payload = part.get_payload(decode=True) or b""
        content_id = part.get("Content-ID")
        found.append(
            Part(
                index=index,
                content_type=part.get_content_type(),
                filename=_file_name(part, index),
                size=len(payload),
                content_id=content_id.strip("<>") if content_id else None,
                inline=part.get_content_disposition() == "inline",
            )
        )
    return found


def part_content(message: EmailMessage, index: int) -> tuple[Part, bytes] | None:
    """The part numbered `index` by `parts` and its decoded bytes."""
    for part in parts(message):
        if part.index == index:
            return part, _leaves(message)[index].get_payload(decode=True) or b""
    return None


def html_with_inline_images(message: EmailMessage) -> str | None:
    """The HTML body with `cid:` images replaced by data: URLs (shown without any request)."""
    html = body(message, "html")
    if html is None:
        return None
    images = {}
    for part in parts(message):
        if part.content_id and part.content_type.startswith("image/"):
            data = _leaves(message)[part.index].get_payload(decode=True) or b""
            encoded = base64.b64encode(data).decode("ascii")
            images[part.content_id] = f"data:{part.content_type};base64,{encoded}"

    def replace(match: re.Match) -> str:
        return match.group(1) + images.get(match.group(2), "about:blank")

    return _CID_SOURCE.sub(replace, html)
