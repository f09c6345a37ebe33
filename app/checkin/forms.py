"""Forms of the tablet pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from app.candidates.forms import StaffRegistrationForm
from app.checkin.models import CheckInMethod
from app.forms import IdField


class PairForm(FlaskForm):
    """The tablet confirms its pairing (a button, protected by CSRF)."""


class UndoForm(FlaskForm):
    """Undo a check-in made by mistake (a button)."""


class CheckInCodeForm(FlaskForm):
    """The ticket code, from a handheld scanner (it types the code, then Enter) or typed."""

    code = StringField(
        _l("Code du billet"),
        validators=[
            InputRequired(_l("Scannez le billet ou tapez son code, par exemple 7K3M-Q9ZP.")),
            Length(
                max=200, message=_l("Ce code est trop long : tapez les 8 caractères du billet.")
            ),
        ],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "autocorrect": "off",
        },
    )
    nonce = HiddenField()
    method = SelectField(
        choices=[
            SelectChoice(m.value, m.value) for m in (CheckInMethod.SCANNER, CheckInMethod.CAMERA)
        ],
        default=CheckInMethod.SCANNER.value,
        validate_choice=True,
    )


class CheckInPersonForm(FlaskForm):
    """Let in a person found by name."""

    nonce = HiddenField()


class WalkInForm(StaffRegistrationForm):
    """Someone who turns up without a registration: registered and let in at once."""

    #: The fields in the order of the page (checkin/walk_in.html).
    PAGE_ORDER = (
        "last_name",
        "first_name",
        "phone",
        "email",
        "birth_year",
        "postcode",
        "domains",
        "referral",
        "consent",
    )

    # `wants_workshop` is not on the page (unchecked): workshops are over by the day.
    nonce = HiddenField()


class BookNowForm(FlaskForm):
    """Book the free table shown (a button)."""

    slot_id = IdField()


class ArrivalForm(FlaskForm):
    """Mark an employer present, or take it back (a button)."""

    arrived = HiddenField(validators=[InputRequired()])
