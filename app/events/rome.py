"""France Travail's 14 ROME "grands domaines" (occupation families), shared by candidates
and job offers."""

from flask_babel import lazy_gettext as _l

ROME_DOMAINS: dict[str, object] = {
    "A": _l("Agriculture et pêche, espaces naturels et espaces verts, soins aux animaux"),
    "B": _l("Arts et façonnage d'ouvrages d'art"),
    "C": _l("Banque, assurance, immobilier"),
    "D": _l("Commerce, vente et grande distribution"),
    "E": _l("Communication, média et multimédia"),
    "F": _l("Construction, bâtiment et travaux publics"),
    "G": _l("Hôtellerie-restauration, tourisme, loisirs et animation"),
    "H": _l("Industrie"),
    "I": _l("Installation et maintenance"),
    "J": _l("Santé"),
    "K": _l("Services à la personne et à la collectivité"),
    "L": _l("Spectacle"),
    "M": _l("Support à l'entreprise"),
    "N": _l("Transport et logistique"),
}
