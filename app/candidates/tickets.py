"""Ticket codes and link tokens."""

import re
import secrets

#: No 0/O, 1/I/L or U: nothing that reads as another character when typed from paper.
TICKET_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
TICKET_LENGTH = 8
TICKET_SEPARATORS = re.compile(r"[\s\-_.]+")
#: A stored code, as a regular expression (the same in JavaScript): the tablet checks scans
#: made offline with it, after taking out the `TICKET_SEPARATORS` and turning letters upper case.
TICKET_PATTERN = f"^[{TICKET_ALPHABET}]{{{TICKET_LENGTH}}}$"


def new_ticket_code() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))


def new_manage_token() -> str:
    return secrets.token_urlsafe(32)


_MANAGE_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def is_manage_token(text: str) -> bool:
    """True when `text` has the shape of a link token (43 URL-safe characters).

    Checked before any query: a forged link may hold anything, NUL bytes included, which
    PostgreSQL refuses in a query parameter.
    """
    return isinstance(text, str) and _MANAGE_TOKEN.fullmatch(text) is not None


def normalise_ticket_code(raw: str) -> str | None:
    """Turn what someone typed or scanned ("7k3m q9zp") into a stored code, or None."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    code = TICKET_SEPARATORS.sub("", raw)
    if not code.isascii():  # upper() turns some letters into others: "ß" → "SS", "ſ" → "S"
        return None
    code = code.upper()
    if len(code) != TICKET_LENGTH or any(c not in TICKET_ALPHABET for c in code):
        return None
    return code
