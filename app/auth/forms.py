"""Sign-in forms: staff (password) and employer users (emailed link or code)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
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


class SignInRequestForm(FlaskForm):
    """An employer asks for a sign-in email."""

    email = StringField(
        _l("Adresse e-mail"),
        filters=[clean_text],
        validators=[DataRequired(_l("Écrivez votre adresse e-mail.")), Length(max=254)],
        render_kw={"type": "email", "autocomplete": "email", "spellcheck": "false"},
    )


class SignInCodeForm(FlaskForm):
    """The 6-digit code of the sign-in email, typed instead of following the link."""

    email = HiddenField()
    code = StringField(
        _l("Code reçu par e-mail"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Écrivez les 6 chiffres du code reçu par e-mail.")),
            Length(max=20, message=_l("Écrivez les 6 chiffres du code reçu par e-mail.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )


class ConfirmSignInForm(FlaskForm):
    """The button of the sign-in link's page (a GET on the link signs nobody in)."""
