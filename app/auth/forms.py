"""Staff sign-in."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.forms import clean_text


class LoginForm(FlaskForm):
    email = StringField(
        _l("Adresse e-mail"),
        filters=[clean_text],
        validators=[DataRequired(_l("Écrivez votre adresse e-mail.")), Length(max=254)],
        render_kw={"type": "email", "autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(_l("Écrivez votre mot de passe.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
