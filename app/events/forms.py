"""Back-office forms: the tour, its venues and its étapes."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Regexp,
    ValidationError,
)

from app.events.models import Event, EventStatus
from app.events.services import EventDetails, TourDetails, VenueDetails
from app.forms import YearField, clean_text, collapse_spaces, french_postcode

TEXT = [clean_text, collapse_spaces]

EVENT_STATUS_LABELS = {
    EventStatus.DRAFT: _l("Brouillon"),
    EventStatus.PUBLISHED: _l("Publiée"),
    EventStatus.CANCELLED: _l("Annulée"),
}

#: What each status means, shown next to the choice.
EVENT_STATUS_HINTS = {
    EventStatus.DRAFT: _l("invisible du public, personne ne peut s'inscrire"),
    EventStatus.PUBLISHED: _l("visible, inscriptions possibles entre les dates ci-dessous"),
    EventStatus.CANCELLED: _l("visible comme annulée, plus aucune inscription"),
}


def _optional_id(value):
    """Coerce a <select> value to an id; an empty or forged value becomes None."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class WholeNumberField(IntegerField):
    """A whole number typed by a person ("1 200" is fine); anything else, or a number too
    long to be meant, gets `invalid_message` (which says what to write)."""

    #: Beyond this, a number is a typing accident (and NumberRange would compare it as a
    #: float, which overflows past 308 digits).
    LARGEST = 10**9

    def __init__(self, label=None, validators=None, *, invalid_message, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        valuelist = [re.sub(r"[\s\u202f]", "", str(value)) for value in valuelist]
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(self.invalid_message)) from error
        if self.data is not None and abs(self.data) > self.LARGEST:
            self.data = None
            raise ValueError(str(self.invalid_message))


def _date_field(label, what):
    message = _l("Indiquez %(what)s, par exemple 14/10/2025.", what=what)
    return DateField(
        label,
        format=["%Y-%m-%d", "%d/%m/%Y"],
        validators=[InputRequired(message)],
        invalid_value_message=message,
    )


def _time_field(label, what):
    message = _l("Indiquez %(what)s, par exemple 9:30.", what=what)
    return TimeField(
        label,
        format=["%H:%M", "%H:%M:%S", "%Hh%M", "%Hh", "%H"],
        validators=[InputRequired(message)],
        invalid_value_message=message,
    )


class TourForm(FlaskForm):
    """A tour: one yearly campaign of étapes."""

    name = StringField(
        _l("Nom de la tournée"),
        filters=TEXT,
        validators=[
            DataRequired(_l("Écrivez le nom de la tournée, par exemple Job Dating Tour 2025.")),
            Length(max=120, message=_l("120 caractères au plus.")),
        ],
    )
    slug = StringField(
        _l("Identifiant"),
        filters=[clean_text, lambda v: v.lower() if isinstance(v, str) else v],
        validators=[
            DataRequired(_l("Écrivez un identifiant court, par exemple jdt-2025.")),
            Length(max=60, message=_l("60 caractères au plus.")),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message=_l(
                    "Utilisez seulement des lettres sans accent, des chiffres et des tirets, par exemple jdt-2025."
                ),
            ),
        ],
        render_kw={"spellcheck": "false", "autocapitalize": "none"},
    )
    year = YearField(
        _l("Année"),
        validators=[
            InputRequired(_l("Écrivez l'année de la tournée en 4 chiffres, par exemple 2025.")),
            NumberRange(
                min=2000,
                max=2100,
                message=_l("Écrivez l'année de la tournée en 4 chiffres, par exemple 2025."),
            ),
        ],
        invalid_message=_l("Écrivez l'année de la tournée en 4 chiffres, par exemple 2025."),
        render_kw={"inputmode": "numeric", "maxlength": "4", "class": "short"},
    )
    min_age = WholeNumberField(
        _l("Âge minimum des candidats"),
        default=50,
        validators=[
            InputRequired(_l("Écrivez l'âge minimum en chiffres, par exemple 50.")),
            NumberRange(min=16, max=99, message=_l("Écrivez un âge entre 16 et 99 ans.")),
        ],
        invalid_message=_l("Écrivez l'âge minimum en chiffres, par exemple 50."),
        render_kw={"inputmode": "numeric", "maxlength": "2", "class": "short"},
    )
    description = TextAreaField(
        _l("Présentation"),
        filters=[clean_text],
        validators=[Length(max=2000, message=_l("2 000 caractères au plus."))],
    )

    def details(self) -> TourDetails:
        return TourDetails(
            name=self.name.data,
            slug=self.slug.data,
            year=self.year.data,
            min_age=self.min_age.data,
            description=self.description.data or "",
        )


class VenueForm(FlaskForm):
    """A place where étapes are held."""

    name = StringField(
        _l("Nom du lieu"),
        filters=TEXT,
        validators=[
            DataRequired(_l("Écrivez le nom du lieu, par exemple Salle des fêtes.")),
            Length(max=160, message=_l("160 caractères au plus.")),
        ],
    )
    address = StringField(
        _l("Adresse"),
        filters=TEXT,
        validators=[
            DataRequired(_l("Écrivez le numéro et la rue, par exemple 12 place de la Mairie.")),
            Length(max=200, message=_l("200 caractères au plus.")),
        ],
    )
    postcode = StringField(
        _l("Code postal"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Écrivez le code postal en 5 chiffres, par exemple 59000.")),
            french_postcode,
        ],
        render_kw={"inputmode": "numeric", "maxlength": "5", "class": "short"},
    )
    town = StringField(
        _l("Ville"),
        filters=TEXT,
        validators=[
            DataRequired(_l("Écrivez la ville, par exemple Tourcoing.")),
            Length(max=80, message=_l("80 caractères au plus.")),
        ],
    )
    transport = TextAreaField(
        _l("Accès en transports en commun"),
        filters=[clean_text],
        validators=[Length(max=1000, message=_l("1 000 caractères au plus."))],
    )
    accessibility = TextAreaField(
        _l("Accessibilité"),
        filters=[clean_text],
        validators=[Length(max=1000, message=_l("1 000 caractères au plus."))],
    )

    def details(self) -> VenueDetails:
        return VenueDetails(
            name=self.name.data,
            address=self.address.data,
            postcode=self.postcode.data,
            town=self.town.data,
            transport=self.transport.data or "",
            accessibility=self.accessibility.data or "",
        )


class EventForm(FlaskForm):
    """An étape. The tour is chosen at creation only (`del form.tour_id` to edit)."""

    tour_id = SelectField(
        _l("Tournée"),
        coerce=_optional_id,
        validators=[InputRequired(_l("Choisissez la tournée de l'étape."))],
        invalid_choice_message=_l("Choisissez la tournée de l'étape."),
    )
    venue_id = SelectField(
        _l("Lieu"),
        coerce=_optional_id,
        validators=[InputRequired(_l("Choisissez le lieu de l'étape."))],
        invalid_choice_message=_l("Choisissez le lieu de l'étape."),
    )
    date = _date_field(_l("Date de l'étape"), _l("la date de l'étape"))
    starts_at = _time_field(_l("Heure de début"), _l("l'heure de début"))
    ends_at = _time_field(_l("Heure de fin"), _l("l'heure de fin"))
    capacity = WholeNumberField(
        _l("Capacité (nombre de candidats)"),
        validators=[
            InputRequired(_l("Écrivez le nombre de places pour les candidats, par exemple 150.")),
            NumberRange(
                min=0, max=10000, message=_l("Écrivez un nombre de places entre 0 et 10 000.")
            ),
        ],
        invalid_message=_l("Écrivez le nombre de places en chiffres, par exemple 150."),
        render_kw={"inputmode": "numeric", "class": "short"},
    )
    registration_opens_on = _date_field(
        _l("Ouverture des inscriptions en ligne"), _l("le jour d'ouverture des inscriptions")
    )
    registration_closes_on = _date_field(
        _l("Clôture des inscriptions en ligne"), _l("le dernier jour des inscriptions")
    )
    status = RadioField(
        _l("Statut"),
        default=EventStatus.DRAFT.value,
        validators=[InputRequired(_l("Choisissez le statut de l'étape."))],
        invalid_choice_message=_l("Choisissez le statut de l'étape."),
    )
    notes = TextAreaField(
        _l("Notes pour l'équipe"),
        filters=[clean_text],
        validators=[Length(max=2000, message=_l("2 000 caractères au plus."))],
    )

    def __init__(self, *args, tours=(), venues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tour_id.choices = [SelectChoice("", _l("Choisissez une tournée"))] + [
            SelectChoice(str(tour.id), tour.name) for tour in tours
        ]
        self.venue_id.choices = [SelectChoice("", _l("Choisissez un lieu"))] + [
            SelectChoice(str(venue.id), f"{venue.town} — {venue.name}") for venue in venues
        ]
        self.status.choices = [
            SelectChoice(
                status.value, f"{EVENT_STATUS_LABELS[status]} — {EVENT_STATUS_HINTS[status]}"
            )
            for status in EventStatus
        ]

    def validate_tour_id(self, field):
        if field.data is None:
            raise ValidationError(_l("Choisissez la tournée de l'étape."))

    def validate_venue_id(self, field):
        if field.data is None:
            raise ValidationError(_l("Choisissez le lieu de l'étape."))

    def details(self) -> EventDetails:
        return EventDetails(
            venue_id=self.venue_id.data,
            date=self.date.data,
            starts_at=self.starts_at.data,
            ends_at=self.ends_at.data,
            registration_opens_on=self.registration_opens_on.data,
            registration_closes_on=self.registration_closes_on.data,
            status=EventStatus(self.status.data),
            notes=self.notes.data or "",
        )


def event_form(event: Event | None = None, *, tours=(), venues=()) -> EventForm:
    form = EventForm(obj=event, tours=tours, venues=venues)
    if event is not None:
        del form.tour_id
    return form
