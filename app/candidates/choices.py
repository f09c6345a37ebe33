"""Labels shown for the candidates' enumerations."""

from flask_babel import lazy_gettext as _l

from app.candidates.models import Referral, RegistrationSource, RegistrationStatus

REFERRAL_LABELS = {
    Referral.FRANCE_TRAVAIL: _l("France Travail"),
    Referral.CAP_EMPLOI: _l("Cap emploi"),
    Referral.APEC: _l("APEC"),
    Referral.PLIE_MDE: _l("Un PLIE ou une Maison de l'emploi"),
    Referral.PRESS: _l("La presse, la radio ou une affiche"),
    Referral.SOCIAL_MEDIA: _l("Les réseaux sociaux"),
    Referral.WORD_OF_MOUTH: _l("Le bouche-à-oreille (famille, amis, voisins)"),
    Referral.OTHER: _l("Autre"),
}

STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _l("Confirmée"),
    RegistrationStatus.WAITLISTED: _l("Liste d'attente"),
    RegistrationStatus.CANCELLED: _l("Annulée"),
}

SOURCE_LABELS = {
    RegistrationSource.ONLINE: _l("En ligne"),
    RegistrationSource.PHONE: _l("Téléphone"),
    RegistrationSource.ONSITE: _l("Sur place"),
}
