"""Forms of the candidate's interview pages: ranking wishes, booking a slot, cancelling."""

import re
from collections.abc import Mapping

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField

from app.candidates.models import Registration
from app.employers.models import Participation
from app.errors import DomainError
from app.forms import IdField
from app.interviews.models import Wish
from app.interviews.services.wishes import WishChoice

ORDINALS = [
    _l("Premier choix"),
    _l("Deuxième choix"),
    _l("Troisième choix"),
    _l("Quatrième choix"),
    _l("Cinquième choix"),
    _l("Sixième choix"),
    _l("Septième choix"),
    _l("Huitième choix"),
    _l("Neuvième choix"),
    _l("Dixième choix"),
]
#: The most choices read from one request. A page opened before staff lowered the étape's
#: limit sends more choices than the limit: they are read, and the wishes service says so.
MAX_RANKS = 20
_RANK_FIELD = re.compile(r"rank_([1-9][0-9]?)")
_CHOICE_VALUE = re.compile(r"([1-9][0-9]{0,9})(?:-([1-9][0-9]{0,9}))?")


def ordinal(rank: int) -> str:
    if rank <= len(ORDINALS):
        return str(ORDINALS[rank - 1])
    return gettext("Choix n° %(rank)d", rank=rank)


def choice_value(participation_id: int, job_offer_id: int | None = None) -> str:
    """An option's value: "12" for the employer, "12-34" for one of its offers."""
    return str(participation_id) if job_offer_id is None else f"{participation_id}-{job_offer_id}"


def employer_options(employers: list[Participation]) -> list[SelectChoice]:
    """Every option of a choice: nobody, then each employer and each of its offers (each
    label names the employer, so that an option read on its own is clear)."""
    options = [SelectChoice("", gettext("— Pas de choix —"))]
    for participation in employers:
        name = participation.establishment.display_name
        options.append(
            SelectChoice(
                choice_value(participation.id), gettext("%(name)s (tous les postes)", name=name)
            )
        )
        options.extend(
            SelectChoice(
                choice_value(participation.id, offer.id),
                f"{name} : {offer.title} ({offer.contract_type.value})",
            )
            for offer in participation.offers
        )
    return options


class WishesForm(FlaskForm):
    """The ranked choices (fields `rank_1` … `rank_n`, added by `wishes_form`) and the
    consent to show one's profile to the étape's employers."""

    shares_profile = BooleanField(
        _l(
            "J'accepte que les employeurs de cette étape voient mon profil (nom, code postal, domaines recherchés) et mon CV si je l'ai déposé"
        )
    )
    ranks: int = 0
    max_wishes: int = 0
    employers: list[Participation] = []

    @property
    def rank_fields(self):
        return [self[f"rank_{rank}"] for rank in range(1, self.ranks + 1)]

    def wish_choices(self) -> list[tuple[str, WishChoice]]:
        """(field name, choice) of each filled-in choice, first choice first. A value that
        is not an option's becomes a choice of no employer: the service refuses it."""
        choices = []
        for field in self.rank_fields:
            if not field.data:
                continue
            match = _CHOICE_VALUE.fullmatch(field.data)
            if match is None:
                choice = WishChoice(participation_id=0)
            else:
                offer = match.group(2)
                choice = WishChoice(int(match.group(1)), int(offer) if offer else None)
            choices.append((field.name, choice))
        return choices

    def show_error(self, error: DomainError, choices: list[tuple[str, WishChoice]]) -> None:
        """Attach a wishes service error to the choice it is about."""
        names = [name for name, _ in choices] or ["rank_1"]
        target = names[0]
        if error.code == "too_many_wishes":
            target = names[min(self.max_wishes, len(names) - 1)]
        elif error.code == "duplicate_wish":
            seen = set()
            for name, choice in choices:
                if choice.participation_id in seen:
                    target = name
                    break
                seen.add(choice.participation_id)
        elif error.code == "unknown_employer":
            offered = {option.value for option in employer_options(self.employers)}
            target = next((name for name in names if self[name].data not in offered), target)
        self[target].errors = [*self[target].errors, error.message]


def wishes_form(
    registration: Registration,
    employers: list[Participation],
    wishes: list[Wish],
    posted: Mapping[str, str],
) -> WishesForm:
    """The wishes form of a registration: one choice per rank up to the étape's limit (or
    as many as were sent, up to MAX_RANKS), filled in with the current wishes."""
    event = registration.event
    sent = [int(m.group(1)) for key in posted if (m := _RANK_FIELD.fullmatch(key))]
    ranks = max([event.max_wishes, len(wishes), *(r for r in sent if r <= MAX_RANKS)])
    options = employer_options(employers)

    class Form(WishesForm):
        pass

    for rank in range(1, ranks + 1):
        setattr(
            Form,
            f"rank_{rank}",
            SelectField(ordinal(rank), choices=options, default="", validate_choice=False),
        )
    current = {f"rank_{w.rank}": choice_value(w.participation_id, w.job_offer_id) for w in wishes}
    current["shares_profile"] = registration.shares_profile
    # What was sent wins; the current wishes only fill in a page that was not sent.
    form = Form(data=None if posted else current)
    form.ranks = ranks
    form.max_wishes = event.max_wishes
    form.employers = employers
    return form


class BookingForm(FlaskForm):
    """One slot button (the slot's id in a hidden field)."""

    slot_id = IdField()


class CancelInterviewForm(FlaskForm):
    """The confirmation of cancelling an interview (nothing but the CSRF token)."""
