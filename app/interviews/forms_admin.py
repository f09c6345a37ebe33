"""Back-office forms of the staff tools: refusing a request, changing a participation's
tables and hours, booking or moving an interview for someone."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from app.events.forms import WholeNumberField
from app.forms import IdField, clean_text, optional_id


def _time_field(label, what):
    message = _l("Indiquez %(what)s au format HH:MM, par exemple 09:30.", what=what)
    return TimeField(
        label,
        format=["%H:%M", "%H:%M:%S"],
        validators=[InputRequired(message)],
        invalid_value_message=message,
    )


class RefuseForm(FlaskForm):
    """Refuse a participation request; the reason is sent to the employer."""

    reason = TextAreaField(
        _l("Motif du refus (envoyé à l'employeur)"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Écrivez le motif du refus : il est envoyé à l'employeur.")),
            Length(max=2000, message=_l("2 000 caractères au plus.")),
        ],
    )


class HoursForm(FlaskForm):
    """A participation's tables (recruiters at the same time) and interview hours."""

    tables = WholeNumberField(
        _l("Nombre de tables"),
        validators=[
            InputRequired(_l("Écrivez le nombre de tables, entre 1 et 50.")),
            NumberRange(min=1, max=50, message=_l("Indiquez entre 1 et 50 tables.")),
        ],
        invalid_message=_l("Écrivez le nombre de tables en chiffres, entre 1 et 50."),
        render_kw={"inputmode": "numeric", "class": "short"},
    )
    starts_at = _time_field(_l("Début des entretiens"), _l("l'heure de début"))
    ends_at = _time_field(_l("Fin des entretiens"), _l("l'heure de fin"))

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("L'heure de fin doit venir après l'heure de début."))


class RegistrationSearchForm(FlaskForm):
    """Find the person who called, among the étape's confirmed registrations (GET)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Nom ou code du billet"),
        filters=[clean_text],
        validators=[Length(max=100, message=_l("100 caractères au plus."))],
        render_kw={"type": "search", "spellcheck": "false"},
    )


class SlotChoiceForm(FlaskForm):
    """Choose a slot. The choices are the free ones; the slot actually sent is loaded and
    checked by the route, so that one taken meanwhile gets the booking service's answer
    (with alternatives) rather than "not a valid choice"."""

    slot_id = SelectField(
        _l("Créneau"),
        coerce=optional_id,
        validate_choice=False,
        validators=[InputRequired(_l("Choisissez un créneau."))],
    )

    def validate_slot_id(self, field):
        if field.data is None:
            raise ValidationError(_l("Choisissez un créneau."))


class BookForm(SlotChoiceForm):
    """Book a slot for a registration of the étape."""

    registration_id = HiddenField(_l("Personne"), filters=[optional_id])

    def validate_registration_id(self, field):
        if field.data is None:
            raise ValidationError(_l("Choisissez d'abord la personne."))


class InterviewSettingsForm(FlaskForm):
    """An étape's interview settings."""

    interview_minutes = WholeNumberField(
        _l("Durée d'un entretien (minutes)"),
        validators=[
            InputRequired(_l("Écrivez la durée d'un entretien en minutes, par exemple 15.")),
            NumberRange(min=5, max=120, message=_l("Un entretien dure entre 5 et 120 minutes.")),
        ],
        invalid_message=_l("Écrivez la durée en chiffres, par exemple 15."),
        render_kw={"inputmode": "numeric", "class": "short"},
    )
    changeover_minutes = WholeNumberField(
        _l("Battement entre deux entretiens (minutes)"),
        validators=[
            InputRequired(_l("Écrivez le battement en minutes, par exemple 5.")),
            NumberRange(
                min=0,
                max=60,
                message=_l("Le battement entre deux entretiens est de 0 à 60 minutes."),
            ),
        ],
        invalid_message=_l("Écrivez le battement en chiffres, par exemple 5."),
        render_kw={"inputmode": "numeric", "class": "short"},
    )
    max_wishes = WholeNumberField(
        _l("Nombre de vœux par candidat"),
        validators=[
            InputRequired(
                _l("Écrivez combien d'employeurs un candidat peut choisir, par exemple 5.")
            ),
            NumberRange(
                min=1, max=20, message=_l("Un candidat peut choisir de 1 à 20 employeurs.")
            ),
        ],
        invalid_message=_l("Écrivez le nombre de vœux en chiffres, par exemple 5."),
        render_kw={"inputmode": "numeric", "class": "short"},
    )
    max_interviews = WholeNumberField(
        _l("Entretiens au plus par candidat (planning automatique)"),
        validators=[
            InputRequired(
                _l("Écrivez combien d'entretiens un candidat peut avoir au plus, par exemple 3.")
            ),
            NumberRange(
                min=1, max=10, message=_l("Un candidat peut avoir de 1 à 10 entretiens au plus.")
            ),
        ],
        invalid_message=_l("Écrivez le nombre d'entretiens en chiffres, par exemple 3."),
        render_kw={"inputmode": "numeric", "class": "short"},
    )
    self_booking_open = BooleanField(
        _l("Les candidats réservent eux-mêmes leurs entretiens (créneaux libres)")
    )


class ScheduleAdjustForm(FlaskForm):
    """One button on a proposed interview: keep it, remove it, or undo."""

    action = SelectField(
        choices=[SelectChoice(action, action) for action in ("pin", "unpin", "remove", "restore")]
    )
    registration_id = IdField()
    participation_id = IdField()
