"""Valid SIREN and SIRET numbers for tests and demo data (Luhn check digits)."""

from stdnum import luhn


def siren(number: int) -> str:
    """A valid 9-digit SIREN built from `number` (0 … 99,999,999)."""
    body = f"{number:08d}"
    return body + luhn.calc_check_digit(body)


def siret(siren_number: str, establishment: int = 1) -> str:
    """A valid 14-digit SIRET of the company `siren_number` (its establishment no. N)."""
    body = f"{siren_number}{establishment:04d}"
    return body + luhn.calc_check_digit(body)
