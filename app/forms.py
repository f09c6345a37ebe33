"""Field types, filters and validators shared by every form."""

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import abort, request
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from app.formatting import phone

#: The largest id a database integer column holds (ids are positive).
MAX_ID = 2**31 - 1

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’\-.]+[^\W\d_]+)*\.?$")


def clean_text(value):
    """Strip surrounding spaces, drop control characters (PostgreSQL refuses NUL), NFC."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", _CONTROL.sub("", value)).strip()


def optional_id(value):
    """A submitted database id as an int; an empty, forged or out-of-range value is None."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def local_path(target: str | None) -> str | None:
    """`target` when it is a path of this site ("/accueil/etapes/7?q=x"), else None: no other
    site ("//evil.example", "/\\evil.example", which browsers read as "//"), and no control
    character (a newline would break the Location header)."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return None
    if target.startswith("//") or "\\" in target or _CONTROL_OR_SPACE.search(target):
        return None
    return target


def id_argument(name: str) -> int | None:
    """A positive id from the query string; None when absent; 404 when not an id (a number
    larger than any id would reach the database, which refuses it: a 500)."""
    value = request.args.get(name)
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= MAX_ID:
        abort(404)
    return int(value)


class IdField(IntegerField):
    """A database id a page sends back (a hidden field): anything but a whole number within
    the ids' range makes the form invalid, and never reaches the database."""

    widget = HiddenInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(
            label, [InputRequired(), NumberRange(min=1, max=MAX_ID), *(validators or ())], **kwargs
        )


def collapse_spaces(value):
    return re.sub(r"\s+", " ", value) if isinstance(value, str) else value


class YearField(IntegerField):
    """A year typed in digits; text that is not a number gets `invalid_message` (which says
    what to write) rather than WTForms' generic "not a valid integer"."""

    def __init__(self, label=None, validators=None, *, invalid_message, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(self.invalid_message)) from error
        if self.data is not None and not 0 < self.data < 10_000:
            # Not a year; a number of 309 digits or more would also crash NumberRange,
            # which compares it as a float.
            self.data = None
            raise ValueError(str(self.invalid_message))


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (each a real <input type=checkbox> with its own label)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def person_name(form, field):
    if field.data and not _NAME.match(field.data):
        raise ValidationError(
            _l("Écrivez le nom en lettres (les tirets et apostrophes sont acceptés).")
        )


def french_phone(form, field):
    """Accept a French number in any usual form; store it as +33…"""
    if not field.data:
        field.data = None
        return
    try:
        number = phonenumbers.parse(field.data, "FR")
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or not phonenumbers.is_valid_number(number)
        or number.country_code not in (33,)
    ):
        raise ValidationError(
            _l("Écrivez un numéro de téléphone français à 10 chiffres, par exemple 06 12 34 56 78.")
        )
    field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneField(StringField):
    """A phone number as people write it: the `french_phone` validator stores it as +33…,
    and a form shown again (another field is wrong, or a record is edited) writes it back
    as "06 12 34 56 78", not as the stored form."""

    def _value(self):
        return phone(self.data) if self.data else super()._value()


def email_address(form, field):
    if not field.data:
        field.data = None
        return
    try:
        result = validate_email(field.data, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationError(
            _l("Écrivez une adresse e-mail complète, par exemple prenom.nom@exemple.fr.")
        ) from error
    field.data = result.normalized.lower()


def french_postcode(form, field):
    # [0-9], not \d: \d also matches other scripts' digits ("٥٩٠٠٠").
    if field.data and not re.fullmatch(r"[0-9]{5}", field.data):
        raise ValidationError(_l("Écrivez le code postal en 5 chiffres, par exemple 59000."))
