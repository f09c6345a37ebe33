"""Forms of the staff email pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from app.notifications.models import OutboxStatus

#: How each outbox status is shown to staff.
STATUS_LABELS = {
    OutboxStatus.PENDING: _l("En attente"),
    OutboxStatus.SENDING: _l("En cours d'envoi"),
    OutboxStatus.SENT: _l("Envoyé"),
    OutboxStatus.FAILED: _l("En échec"),
}


class OutboxFilterForm(FlaskForm):
    """The status filter of the outbox list (a GET form, no CSRF)."""

    class Meta:
        csrf = False

    statut = SelectField(
        _l("État"),
        default="",
        choices=[SelectChoice("", _l("Tous"))]
        + [SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()],
        invalid_choice_message=_l("Choisissez un état dans la liste."),
    )
