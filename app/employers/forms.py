"""The participation request of an employer (public), and job offers."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from app.employers.models import ContractType
from app.employers.services import (
    EstablishmentDetails,
    OfferDetails,
    ParticipationDetails,
)
from app.events.forms import WholeNumberField, _time_field
from app.events.rome import ROME_DOMAINS
from app.formatting import long_date
from app.forms import (
    MultiCheckboxField,
    PhoneField,
    clean_text,
    collapse_spaces,
    email_address,
    french_phone,
    french_postcode,
    optional_id,
)

TEXT = [clean_text, collapse_spaces]
#: Job offers a request may describe at once (more can be added from the employer portal).
OFFER_ROWS = 3


def _offer_fields(n: int) -> dict:
    """The fields of the n-th job offer of the form (flat, so that each error has its own
    entry in the error summary, linked to its field)."""
    return {
        f"offer{n}_title": StringField(
            _l("Offre %(n)s : intitulé du poste", n=n),
            filters=TEXT,
            validators=[Length(max=160, message=_l("160 caractères au plus."))],
        ),
        f"offer{n}_contract_type": SelectField(
            _l("Offre %(n)s : contrat", n=n),
            choices=[
                SelectChoice("", _l("Choisissez")),
                *(SelectChoice(c.value, c.label) for c in ContractType),
            ],
            validators=[Optional()],
        ),
        f"offer{n}_rome_domain": SelectField(
            _l("Offre %(n)s : domaine", n=n),
            choices=[
                SelectChoice("", _l("Choisissez")),
                *(SelectChoice(code, label) for code, label in ROME_DOMAINS.items()),
            ],
            validators=[Optional()],
        ),
        f"offer{n}_positions": WholeNumberField(
            _l("Offre %(n)s : nombre de postes", n=n),
            default=1,
            validators=[Optional(), NumberRange(1, 999, _l("Entre 1 et 999 postes."))],
            invalid_message=_l("Écrivez un nombre de postes en chiffres, par exemple 2."),
        ),
        f"offer{n}_description": TextAreaField(
            _l("Offre %(n)s : description courte", n=n),
            filters=[clean_text],
            validators=[Length(max=1000, message=_l("1 000 caractères au plus."))],
        ),
    }


class ParticipationForm(FlaskForm):
    """An establishment asks to take part in one or more étapes."""

    siret = StringField(
        _l("Numéro SIRET de l'établissement"),
        filters=[clean_text],
        validators=[DataRequired(_l("Écrivez les 14 chiffres du SIRET.")), Length(max=30)],
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )
    company_name = StringField(
        _l("Nom de l'entreprise"),
        filters=TEXT,
        validators=[DataRequired(_l("Écrivez le nom de l'entreprise.")), Length(max=160)],
        render_kw={"autocomplete": "organization"},
    )
    name = StringField(
        _l("Nom de l'établissement"),
        filters=TEXT,
        validators=[Length(max=160, message=_l("160 caractères au plus."))],
    )
    address = StringField(
        _l("Adresse de l'établissement"),
        filters=TEXT,
        validators=[DataRequired(_l("Écrivez l'adresse.")), Length(max=200)],
        render_kw={"autocomplete": "street-address"},
    )
    postcode = StringField(
        _l("Code postal"),
        filters=[clean_text],
        validators=[DataRequired(_l("Écrivez le code postal.")), french_postcode],
        render_kw={"inputmode": "numeric", "autocomplete": "postal-code"},
    )
    town = StringField(
        _l("Commune"),
        filters=TEXT,
        validators=[DataRequired(_l("Écrivez la commune.")), Length(max=80)],
        render_kw={"autocomplete": "address-level2"},
    )
    sector = StringField(
        _l("Secteur d'activité"),
        filters=TEXT,
        validators=[Length(max=120, message=_l("120 caractères au plus."))],
    )
    charter_signatory = BooleanField(_l("Notre entreprise a signé la Charte emploi senior"))
    events = MultiCheckboxField(
        _l("Étapes"),
        coerce=int,
        validators=[DataRequired(_l("Choisissez au moins une étape."))],
    )
    contact_name = StringField(
        _l("Votre nom"),
        filters=TEXT,
        validators=[DataRequired(_l("Écrivez votre nom.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    contact_email = StringField(
        _l("Votre adresse e-mail"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Écrivez votre adresse e-mail : elle sert à vous connecter.")),
            Length(max=254),
            email_address,
        ],
        render_kw={"type": "email", "autocomplete": "email", "spellcheck": "false"},
    )
    contact_phone = PhoneField(
        _l("Votre téléphone"),
        filters=[clean_text],
        validators=[Length(max=30), french_phone],
        render_kw={"type": "tel", "autocomplete": "tel"},
    )
    tables = WholeNumberField(
        _l("Nombre de tables (recruteurs en même temps)"),
        default=1,
        validators=[
            InputRequired(_l("Indiquez le nombre de tables, par exemple 2.")),
            NumberRange(1, 50, _l("Entre 1 et 50 tables.")),
        ],
        invalid_message=_l("Écrivez un nombre de tables en chiffres, par exemple 2."),
    )
    starts_at = _time_field(_l("Début des entretiens"), _l("l'heure du premier entretien"))
    ends_at = _time_field(_l("Fin des entretiens"), _l("l'heure de fin des entretiens"))
    message = TextAreaField(
        _l("Un mot pour l'association"),
        filters=[clean_text],
        validators=[Length(max=2000, message=_l("2 000 caractères au plus."))],
    )

    def __init__(self, *args, events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.events.choices = [SelectChoice(event.id, event_label(event)) for event in events]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return check_offer_rows(self.offer_rows()) and valid

    def offer_rows(self) -> list[dict]:
        return offer_rows(self, OFFER_ROWS)

    def establishment(self) -> EstablishmentDetails:
        return EstablishmentDetails(
            siret=self.siret.data,
            company_name=self.company_name.data,
            name=self.name.data or self.company_name.data,
            address=self.address.data,
            postcode=self.postcode.data,
            town=self.town.data,
            sector=self.sector.data or "",
            charter_signatory=self.charter_signatory.data,
        )

    def details(self) -> ParticipationDetails:
        return ParticipationDetails(
            contact_name=self.contact_name.data,
            contact_email=self.contact_email.data,
            contact_phone=self.contact_phone.data or "",
            tables=self.tables.data,
            starts_at=self.starts_at.data,
            ends_at=self.ends_at.data,
            message=self.message.data or "",
            offers=[_offer(row) for row in self.offer_rows() if _is_filled(row)],
        )


def event_label(event) -> str:
    return f"{event.venue.town} — {long_date(event.date)}"


class OffersForm(FlaskForm):
    """An employer's job offers at an étape: the current ones, and blank rows to add more.
    A row emptied removes its offer."""

    def __init__(self, *args, offers=(), **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            for n, offer in enumerate(offers, start=1):
                self[f"offer{n}_id"].data = str(offer.id)
                for part in OFFER_PARTS:
                    value = getattr(offer, part)
                    self[f"offer{n}_{part}"].data = getattr(value, "value", value)

    def offer_rows(self) -> list[dict]:
        return offer_rows(self, OFFER_EDIT_ROWS)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return check_offer_rows(self.offer_rows()) and valid

    def offers(self) -> list[tuple[int | None, OfferDetails]]:
        """(id of the offer edited, or None for a new one; its details), in order."""
        return [
            (optional_id(row["id"].data), _offer(row))
            for row in self.offer_rows()
            if _is_filled(row)
        ]


OFFER_PARTS = ("title", "contract_type", "rome_domain", "positions", "description")
#: Rows of the offers form of the employer portal (current offers plus blank ones).
OFFER_EDIT_ROWS = 6
for _n in range(1, OFFER_ROWS + 1):
    for _name, _field in _offer_fields(_n).items():
        setattr(ParticipationForm, _name, _field)
for _n in range(1, OFFER_EDIT_ROWS + 1):
    for _name, _field in _offer_fields(_n).items():
        setattr(OffersForm, _name, _field)
    setattr(OffersForm, f"offer{_n}_id", HiddenField())


def offer_rows(form, count: int) -> list[dict]:
    """{part: field} of each offer row of `form`, in order (with "id" when the form has it)."""
    rows = []
    for n in range(1, count + 1):
        row = {part: form[f"offer{n}_{part}"] for part in OFFER_PARTS}
        if f"offer{n}_id" in form:
            row["id"] = form[f"offer{n}_id"]
        rows.append(row)
    return rows


def check_offer_rows(rows: list[dict]) -> bool:
    """At least one offer; a row begun says its title, contract and domain. Errors are put
    on the fields."""
    filled = [row for row in rows if _is_filled(row)]
    if not filled:
        rows[0]["title"].errors.append(_l("Décrivez au moins une offre : son intitulé."))
        return False
    valid = True
    for row in filled:
        for part, message in (
            ("title", _l("Écrivez l'intitulé du poste.")),
            ("contract_type", _l("Choisissez le type de contrat.")),
            ("rome_domain", _l("Choisissez le domaine du poste.")),
        ):
            if not row[part].data:
                row[part].errors.append(message)
                valid = False
    return valid


def _is_filled(row: dict) -> bool:
    return bool(row["title"].data or row["contract_type"].data or row["rome_domain"].data)


def _offer(row: dict) -> OfferDetails:
    return OfferDetails(
        title=row["title"].data,
        contract_type=ContractType(row["contract_type"].data),
        rome_domain=row["rome_domain"].data,
        positions=row["positions"].data or 1,
        description=row["description"].data or "",
    )
