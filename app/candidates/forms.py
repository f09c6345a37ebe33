"""Registration forms (online, and on a person's behalf by staff)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from app.candidates.choices import REFERRAL_LABELS
from app.candidates.models import Referral
from app.candidates.services import CandidateDetails
from app.events.rome import ROME_DOMAINS
from app.forms import (
    MultiCheckboxField,
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
    phone = StringField(
        _l("Téléphone"),
        filters=[clean_text],
        validators=[
            Length(max=30, message=_l("Écrivez un numéro de téléphone à 10 chiffres.")),
            french_phone,
        ],
        render_kw={"type": "tel"},
    )
    birth_year = IntegerField(
        _l("Année de naissance"),
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
    )
    domains = MultiCheckboxField(
        _l("Dans quels domaines cherchez-vous un emploi ?"),
        choices=[SelectChoice(code, label) for code, label in ROME_DOMAINS.items()],
        validate_choice=True,
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
