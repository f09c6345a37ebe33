"""Forms of the employer portal: a verdict on a profile, an interview's outcome."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length

from app.forms import clean_text


class ReviewForm(FlaskForm):
    verdict = RadioField(
        _l("Votre avis"),
        choices=[
            SelectChoice("shortlisted", _l("Je souhaite rencontrer")),
            SelectChoice("declined", _l("Pas ce profil")),
            SelectChoice("none", _l("Sans avis")),
        ],
        validators=[DataRequired()],
    )


class OutcomeForm(FlaskForm):
    """One tap per answer: each answer is its own submit button named `answer`."""

    #: answer → (held, concluant)
    ANSWERS = {
        "concluant": (True, True),
        "not_concluant": (True, False),
        "no_show": (False, None),
    }

    answer = RadioField(
        _l("Résultat"),
        choices=[
            SelectChoice("concluant", _l("Venu(e) — concluant : un second entretien est prévu")),
            SelectChoice("not_concluant", _l("Venu(e) — pas de suite")),
            SelectChoice("no_show", _l("Absent(e)")),
        ],
        validators=[DataRequired()],
    )
    note = StringField(
        _l("Note (facultatif)"),
        filters=[clean_text],
        validators=[Length(max=500, message=_l("500 caractères au plus."))],
    )
