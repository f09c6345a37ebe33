"""Ticket codes and link tokens."""

import re
import secrets

#: No 0/O, 1/I/L or U: nothing that reads as another character when typed from paper.
TICKET_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
TICKET_LENGTH = 8
_SEPARATORS = re.compile(r"[\s\-_.]+")


def new_ticket_code() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))


def new_manage_token() -> str:
    return secrets.token_urlsafe(32)


def normalise_ticket_code(raw: str) -> str | None:
    """Turn what someone typed or scanned ("7k3m q9zp") into a stored code, or None."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    code = _SEPARATORS.sub("", raw).upper().replace("O", "0").replace("I", "1")
    if len(code) != TICKET_LENGTH or any(c not in TICKET_ALPHABET for c in code):
        return None
    return code
