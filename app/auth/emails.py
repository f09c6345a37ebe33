"""The sign-in email of employer users."""

from flask import current_app
from flask_babel import gettext as _

from app.auth.models import SignInToken
from app.notifications.services import enqueue_email


def queue_sign_in(sign_in: SignInToken, token: str, code: str) -> None:
    base = current_app.config["BASE_URL"]
    subject = _("Votre connexion à l'espace employeur du Job Dating Tour 50+")
    enqueue_email(
        kind="employer_sign_in",
        dedupe_key=f"sign-in:{sign_in.id}",
        recipient=sign_in.user.email,
        subject=subject,
        template="auth/sign_in",
        context={
            "subject": subject,
            "user": sign_in.user,
            "link": f"{base}/espace-employeur/connexion/{token}",
            "code": f"{code[:3]} {code[3:]}",
            "organiser": {
                "name": current_app.config["ORGANISER_NAME"],
                "phone": current_app.config["ORGANISER_PHONE"],
                "email": current_app.config["ORGANISER_EMAIL"],
            },
        },
    )
