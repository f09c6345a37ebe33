"""Registration forms (online, and on a person's behalf by staff)."""

from flask_babel import format_date, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from app.candidates.choices import REFERRAL_LABELS, SOURCE_LABELS, STATUS_LABELS
from app.candidates.models import Referral, RegistrationSource, RegistrationStatus
from app.candidates.services import CandidateDetails
from app.events.rome import ROME_DOMAINS
from app.forms import (
    MultiCheckboxField,
    PhoneField,
    YearField,
    clean_text,
    collapse_spaces,
    email_address,
    french_phone,
    french_postcode,
    person_name,
)

TEXT = [clean_text, collapse_spaces]


class RegistrationForm(FlaskForm):
    """What a person gives to register at an étape; nothing recruitment does not need."""

    last_name = StringField(
        _l("Nom"),
        filters=TEXT,
        validators=[
            DataRequired(_l("Écrivez votre nom.")),
            Length(max=80, message=_l("80 caractères au plus.")),
            person_name,
        ],
    )
    first_name = StringField(
        _l("Prénom"),
        filters=TEXT,
        validators=[
            DataRequired(_l("Écrivez votre prénom.")),
            Length(max=80, message=_l("80 caractères au plus.")),
            person_name,
        ],
    )
    email = StringField(
        _l("Adresse e-mail"),
        filters=[clean_text],
        validators=[Length(max=254, message=_l("254 caractères au plus.")), email_address],
        render_kw={"type": "email", "spellcheck": "false"},
    )
    phone = PhoneField(
        _l("Téléphone"),
        filters=[clean_text],
        validators=[
            Length(max=30, message=_l("Écrivez un numéro de téléphone à 10 chiffres.")),
            french_phone,
        ],
        render_kw={"type": "tel"},
    )
    birth_year = YearField(
        _l("Année de naissance"),
        invalid_message=_l("Écrivez votre année de naissance en 4 chiffres, par exemple 1968."),
        validators=[
            InputRequired(_l("Écrivez votre année de naissance en 4 chiffres, par exemple 1968.")),
            NumberRange(
                min=1920,
                max=2020,
                message=_l("Écrivez votre année de naissance en 4 chiffres, par exemple 1968."),
            ),
        ],
        render_kw={"inputmode": "numeric", "maxlength": "4", "class": "short"},
    )
    postcode = StringField(
        _l("Code postal"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Écrivez votre code postal en 5 chiffres, par exemple 59000.")),
            french_postcode,
        ],
        render_kw={"inputmode": "numeric", "maxlength": "5", "class": "short"},
    )
    referral = RadioField(
        _l("Comment avez-vous connu le Job Dating Tour ?"),
        choices=[SelectChoice(r.value, label) for r, label in REFERRAL_LABELS.items()],
        validators=[InputRequired(_l("Choisissez une réponse."))],
        invalid_choice_message=_l("Choisissez une des réponses proposées."),
    )
    domains = MultiCheckboxField(
        _l("Dans quels domaines cherchez-vous un emploi ?"),
        choices=[SelectChoice(code, label) for code, label in ROME_DOMAINS.items()],
        validate_choice=True,
        invalid_choice_message=_l("Cochez seulement des domaines de la liste."),
    )
    wants_workshop = BooleanField(
        _l("Je souhaite participer à un atelier de préparation (CV, présentation, entretien)")
    )
    consent = BooleanField(
        _l(
            "J'ai lu l'information sur mes données personnelles et j'accepte qu'elles soient utilisées pour le Job Dating Tour."
        ),
        validators=[
            DataRequired(
                _l(
                    "Cochez cette case pour vous inscrire : sans votre accord, nous ne pouvons pas enregistrer votre inscription."
                )
            )
        ],
    )

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def validate_email(self, field):
        if not field.data and not self.phone.data and not self.phone.errors:
            raise ValidationError(
                _l("Indiquez une adresse e-mail ou, si vous n'en avez pas, un numéro de téléphone.")
            )

    def validate_birth_year(self, field):
        if self.event is None or field.data is None:
            return
        min_age = self.event.tour.min_age
        latest = self.event.date.year - min_age
        if field.data > latest:
            raise ValidationError(
                _l(
                    "Le Job Dating Tour est réservé aux personnes de %(age)s ans et plus : il faut être "
                    "né(e) en %(year)s ou avant. France Travail peut vous accompagner dans votre recherche.",
                    age=min_age,
                    year=latest,
                )
            )

    def details(self, locale: str = "fr") -> CandidateDetails:
        return CandidateDetails(
            last_name=self.last_name.data,
            first_name=self.first_name.data,
            email=self.email.data or None,
            phone=self.phone.data or None,
            birth_year=self.birth_year.data,
            postcode=self.postcode.data,
            referral=Referral(self.referral.data),
            domains=list(self.domains.data or []),
            wants_workshop=bool(self.wants_workshop.data),
            locale=locale,
        )


class StaffRegistrationForm(RegistrationForm):
    """Registration taken by staff over the phone: the person's consent is asked orally."""

    consent = BooleanField(
        _l("J'ai lu l'information sur les données personnelles à la personne, qui l'accepte."),
        validators=[
            DataRequired(_l("Cochez cette case après avoir lu l'information à la personne."))
        ],
    )


class CVForm(FlaskForm):
    """The person's CV file; what it may be is checked by `services.upload_cv`."""

    cv = FileField(
        _l("Votre CV"),
        validators=[FileRequired(_l("Choisissez le fichier de votre CV sur votre appareil."))],
    )


class ConfirmForm(FlaskForm):
    """An empty form: a button that confirms an action, protected by CSRF."""


class MoveForm(FlaskForm):
    """Choose another étape to go to instead."""

    event_id = RadioField(
        _l("Nouvelle étape"),
        validators=[InputRequired(_l("Choisissez l'étape où vous préférez aller."))],
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.event_id.choices = [SelectChoice(str(event.id), event.venue.town) for event in targets]


class PersonalDetailsForm(RegistrationForm):
    """Correct one's own details from "Mon inscription" (same rules as at registration)."""

    birth_year = None
    referral = None
    consent = None

    def changes(self) -> dict:
        """The submitted values, for `services.correct_details`."""
        return {
            "last_name": self.last_name.data,
            "first_name": self.first_name.data,
            "email": self.email.data or None,
            "phone": self.phone.data or None,
            "postcode": self.postcode.data,
            "domains": sorted(set(self.domains.data or [])),
            "wants_workshop": bool(self.wants_workshop.data),
        }


def _optional_choice(value):
    """A <select> value as sent; an empty choice ("all") becomes None."""
    return value or None


class RegistrationFilterForm(FlaskForm):
    """Search and filters of the back-office registration list (a GET form, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Rechercher"),
        filters=[clean_text],
        validators=[Length(max=100, message=_l("100 caractères au plus."))],
        render_kw={"type": "search", "spellcheck": "false"},
    )
    event = SelectField(
        _l("Étape"),
        coerce=_optional_choice,
        invalid_choice_message=_l("Cette étape n'existe pas : choisissez-en une dans la liste."),
    )
    status = SelectField(
        _l("Statut"),
        coerce=_optional_choice,
        invalid_choice_message=_l("Choisissez un statut dans la liste."),
    )
    source = SelectField(
        _l("Origine"),
        coerce=_optional_choice,
        invalid_choice_message=_l("Choisissez une origine dans la liste."),
    )

    def __init__(self, *args, events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.event.choices = [SelectChoice("", _l("Toutes les étapes"))] + [
            SelectChoice(
                str(event.id),
                f"{event.venue.town} — {format_date(event.date, 'd MMM y')}",
                optgroup=event.tour.name,
            )
            for event in events
        ]
        self.status.choices = [SelectChoice("", _l("Tous les statuts"))] + [
            SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()
        ]
        self.source.choices = [SelectChoice("", _l("Toutes les origines"))] + [
            SelectChoice(source.value, label) for source, label in SOURCE_LABELS.items()
        ]

    def criteria(self) -> dict:
        """The valid criteria, for `queries.search_registrations` (a wrong one is left out)."""
        return {
            "text": "" if self.q.errors else (self.q.data or ""),
            "event_id": None if self.event.errors or not self.event.data else int(self.event.data),
            "status": None
            if self.status.errors or not self.status.data
            else RegistrationStatus(self.status.data),
            "source": None
            if self.source.errors or not self.source.data
            else RegistrationSource(self.source.data),
        }

    def query_args(self) -> dict:
        """The valid criteria as URL parameters (to keep them across pages and the export)."""
        criteria = self.criteria()
        args = {
            "q": criteria["text"],
            "event": criteria["event_id"],
            "status": criteria["status"] and criteria["status"].value,
            "source": criteria["source"] and criteria["source"].value,
        }
        return {name: value for name, value in args.items() if value}


class StaffMoveForm(MoveForm):
    """Move someone to another étape on their behalf: each choice says its date and seats."""

    event_id = RadioField(
        _l("Nouvelle étape"),
        validators=[InputRequired(_l("Choisissez l'étape où inscrire la personne à la place."))],
        invalid_choice_message=_l("Choisissez une des étapes de la liste."),
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, targets=targets, **kwargs)
        self.event_id.choices = [
            SelectChoice(
                str(event.id),
                gettext(
                    "%(town)s — %(date)s — %(seats)s",
                    town=event.venue.town,
                    date=format_date(event.date, "EEEE d MMMM y"),
                    seats=gettext("complet, liste d'attente")
                    if event.is_full
                    else ngettext(
                        "%(num)s place restante", "%(num)s places restantes", event.seats_left
                    ),
                ),
            )
            for event in targets
        ]


class PhoneRegistrationForm(StaffRegistrationForm):
    """A registration taken over the phone: staff also choose the étape."""

    #: The fields in the order of the page (admin/registration_new.html).
    PAGE_ORDER = (
        "event_id",
        "last_name",
        "first_name",
        "birth_year",
        "postcode",
        "phone",
        "email",
        "domains",
        "referral",
        "wants_workshop",
        "consent",
    )

    event_id = SelectField(
        _l("Étape"),
        validators=[InputRequired(_l("Choisissez l'étape où inscrire la personne."))],
        invalid_choice_message=_l("Choisissez l'étape où inscrire la personne."),
    )

    def __init__(self, *args, events=(), **kwargs):
        super().__init__(*args, **kwargs)
        full = gettext("complet, liste d'attente")
        self.event_id.choices = [SelectChoice("", _l("Choisissez une étape"))] + [
            SelectChoice(
                str(event.id),
                f"{event.venue.town} — {format_date(event.date, 'EEEE d MMMM y')}"
                + (f" ({full})" if event.is_full else ""),
            )
            for event in events
        ]
        # The error summary lists the fields in the order of the page.
        for name in reversed(self.PAGE_ORDER):
            self._fields.move_to_end(name, last=False)

    def validate_event_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choisissez l'étape où inscrire la personne."))

    def validate_email(self, field):
        if not field.data and not self.phone.data and not self.phone.errors:
            raise ValidationError(
                _l(
                    "Indiquez le téléphone de la personne ou son adresse e-mail : au moins l'un des deux."
                )
            )
