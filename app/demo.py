"""`flask demo load`: the 2023 tour's six towns, an upcoming tour open for registration, a demo
admin, and (with --with-people) realistic French candidates and, at the upcoming étapes,
employers of the Lille area with their offers and slots, candidates' wishes, employers' reviews
and self-booked interviews, so that every page looks lived-in. Everything goes through the
services; the same seed gives the same data."""

import random
import unicodedata
from datetime import date, datetime, time, timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import delete, func, select
from stdnum import luhn

from app.auth.models import Role, User
from app.auth.services import create_user
from app.candidates.models import Referral, Registration, RegistrationSource, RegistrationStatus
from app.candidates.services import CandidateDetails, cancel, register
from app.employers.models import ContractType, Establishment, Participation, ParticipationStatus
from app.employers.services import (
    EstablishmentDetails,
    OfferDetails,
    ParticipationDetails,
    refuse_participation,
    request_participation,
    save_establishment,
)
from app.errors import DomainError
from app.events.models import Event, EventStatus, Tour, Venue, today_in_paris
from app.events.rome import ROME_DOMAINS
from app.extensions import db
from app.interviews.models import Interview, InterviewSource, Slot, Verdict
from app.interviews.services import slots
from app.interviews.services.booking import book, clashes
from app.interviews.services.reviews import review
from app.interviews.services.wishes import WishChoice, set_profile_sharing, set_wishes
from app.notifications.models import OutboxMessage

demo = AppGroup("demo", help="Données de démonstration.")

DEMO_ADMIN_EMAIL = "admin@jobdating50.example"
DEMO_ADMIN_PASSWORD = "demo-jobdating-50"

#: (town, venue, address, postcode, public transport, accessibility, capacity, 2023 date)
VENUES = [
    (
        "Wambrechies",
        "Salle des fêtes Robert Lesur",
        "Place du Général de Gaulle",
        "59118",
        "Bus 90 et Citadine, arrêt Wambrechies Mairie (15 min depuis Lille Flandres).",
        "Plain-pied, parking de 40 places dont 2 réservées.",
        160,
        date(2023, 9, 21),
    ),
    (
        "Mons-en-Barœul",
        "Salle Allende",
        "Boulevard du Général Leclerc",
        "59370",
        "Métro ligne 2, station Mons Sarts, puis 5 minutes à pied.",
        "Accès de plain-pied, ascenseur vers la salle, boucle magnétique à l'accueil.",
        180,
        date(2023, 9, 28),
    ),
    (
        "Ronchin",
        "Espace Marcel Pagnol",
        "Rue Marcel Pagnol",
        "59790",
        "Liane 1, arrêt Ronchin Mairie ; bus 17, arrêt Pagnol.",
        "Plain-pied, toilettes adaptées.",
        150,
        date(2023, 10, 5),
    ),
    (
        "Wattrelos",
        "Salle des fêtes de l'Hôtel de Ville",
        "Place Jean Delvainquière",
        "59150",
        "Liane 4 et bus 35, arrêt Wattrelos Centre.",
        "Rampe d'accès côté parking, toilettes adaptées.",
        150,
        date(2023, 10, 12),
    ),
    (
        "Val-de-Marque",
        "Maison de l'emploi du Val de Marque",
        "Rue de la Lionderie",
        "59510",
        "Bus 32 et Corolle, arrêt Hem Lionderie.",
        "Plain-pied, places de stationnement réservées devant l'entrée.",
        140,
        date(2023, 10, 19),
    ),
    (
        "Tourcoing",
        "Salle Grand Mix — espace rencontres",
        "Place du Théâtre",
        "59200",
        "Métro ligne 2, station Tourcoing Centre ; tram Mongy, arrêt Tourcoing Centre.",
        "Ascenseur, toilettes adaptées, boucle magnétique.",
        200,
        date(2023, 10, 26),
    ),
]


#: A site of a demo employer: (name, address, postcode, town).
Site = tuple[str, str, str, str]
#: A job offer of a demo employer: (title, contract type, ROME domain, positions, description).
Offer = tuple[str, ContractType, str, int, str]

CDI, CDD, CDD_SHORT, INTERIM, ALTERNANCE = (
    ContractType.CDI,
    ContractType.CDD_LONG,
    ContractType.CDD_SHORT,
    ContractType.INTERIM,
    ContractType.ALTERNANCE,
)

# fmt: off
#: Fictional employers of the Lille area: (company, sector, Charte emploi senior signatory,
#: sites, offers). Two sites means one SIREN with two SIRETs.
EMPLOYERS: list[tuple[str, str, bool, list[Site], list[Offer]]] = [
    (
        "Entrepôts Logistiques du Nord",
        "Logistique et entreposage",
        True,
        [
            ("Plateforme de Lesquin", "Rue de la Haie Plouvier", "59810", "Lesquin"),
            ("Entrepôt de Neuville-en-Ferrain", "Rue de la Houblonnière", "59960", "Neuville-en-Ferrain"),
        ],
        [
            ("Préparateur de commandes (H/F)", INTERIM, "N", 8, "Préparation au scanner, port de charges modéré, équipes du matin."),
            ("Cariste CACES 1, 3 et 5 (H/F)", CDI, "N", 3, "Chargement et déchargement des camions, rangement en hauteur."),
            ("Agent de quai (H/F)", CDD, "N", 4, "Réception et contrôle des marchandises."),
            ("Chef d'équipe logistique (H/F)", CDI, "N", 1, "Encadrement d'une équipe de 12 préparateurs."),
        ],
    ),
    (
        "Groupe hospitalier Flandres-Métropole",
        "Santé, établissements hospitaliers",
        True,
        [
            ("Clinique du Parc", "Avenue du Parc", "59170", "Croix"),
            ("Hôpital privé de la Lys", "Rue de la Lys", "59200", "Tourcoing"),
        ],
        [
            ("Aide-soignant (H/F)", CDI, "J", 4, "Services de médecine et de soins de suite, horaires en 12 h."),
            ("Agent de service hospitalier (H/F)", CDD, "K", 3, "Bionettoyage des chambres et distribution des repas."),
            ("Secrétaire médical (H/F)", CDI, "M", 1, "Accueil des patients, prise de rendez-vous, frappe des comptes rendus."),
            ("Brancardier (H/F)", CDD, "J", 2, "Transport des patients entre les services."),
        ],
    ),
    (
        "Présence et Aide à Domicile Métropole",
        "Aide à domicile",
        True,
        [("Agence de Villeneuve-d'Ascq", "Rue Jean Jaurès", "59650", "Villeneuve-d'Ascq")],
        [
            ("Auxiliaire de vie (H/F)", CDI, "K", 6, "Aide aux gestes du quotidien auprès de personnes âgées, secteur Est."),
            ("Aide à domicile (H/F)", CDI, "K", 5, "Entretien du logement et courses, temps partiel choisi."),
            ("Responsable de secteur (H/F)", CDI, "K", 1, "Plannings des intervenants et suivi des bénéficiaires."),
        ],
    ),
    (
        "Lys Services à la Personne",
        "Aide à domicile",
        False,
        [("Agence d'Armentières", "Rue de Lille", "59280", "Armentières")],
        [
            ("Aide ménager (H/F)", CDI, "K", 4, "Ménage et repassage chez des particuliers, véhicule souhaité."),
            ("Garde d'enfants à domicile (H/F)", CDD, "K", 2, "Sorties d'école et aide aux devoirs."),
        ],
    ),
    (
        "Hypermarché Grand Large",
        "Grande distribution",
        False,
        [
            ("Magasin de Villeneuve-d'Ascq", "Boulevard de Valmy", "59650", "Villeneuve-d'Ascq"),
            ("Magasin d'Englos", "Rue du Grand But", "59320", "Englos"),
        ],
        [
            ("Employé de libre-service (H/F)", CDD, "D", 6, "Mise en rayon et facing, rayon épicerie."),
            ("Hôte de caisse (H/F)", CDI, "D", 4, "Encaissement et accueil des clients, 25 h par semaine."),
            ("Boucher (H/F)", CDI, "D", 1, "Découpe et préparation au laboratoire, conseil en rayon traditionnel."),
            ("Employé du rayon fruits et légumes (H/F)", CDD, "D", 2, "Réception, mise en place et qualité du rayon."),
        ],
    ),
    (
        "Marché Frais du Mélantois",
        "Grande distribution",
        True,
        [("Supermarché de Ronchin", "Avenue Jean Jaurès", "59790", "Ronchin")],
        [
            ("Employé polyvalent de supermarché (H/F)", CDI, "D", 2, "Caisse, mise en rayon et réception."),
            ("Vendeur au rayon traditionnel (H/F)", CDI, "D", 1, "Fromage et charcuterie à la coupe."),
        ],
    ),
    (
        "Transports Urbains de la Métropole",
        "Transport de voyageurs",
        True,
        [
            ("Dépôt de Marcq-en-Barœul", "Rue de la Briqueterie", "59700", "Marcq-en-Barœul"),
            ("Dépôt de Wattrelos", "Rue de la Mackellerie", "59150", "Wattrelos"),
        ],
        [
            ("Conducteur de bus (H/F)", CDI, "N", 10, "Permis D financé après sélection ; lignes urbaines et Liane."),
            ("Mécanicien poids lourds (H/F)", CDI, "I", 2, "Entretien préventif et dépannage des bus au dépôt."),
            ("Agent de médiation (H/F)", CDD, "K", 3, "Présence sur le réseau, information des voyageurs."),
        ],
    ),
    (
        "Intérim Plus Métropole",
        "Travail temporaire",
        False,
        [
            ("Agence de Roubaix", "Grand'Rue", "59100", "Roubaix"),
            ("Agence de Lille-Centre", "Rue de Béthune", "59000", "Lille"),
        ],
        [
            ("Agent de production (H/F)", INTERIM, "H", 10, "Missions longues dans l'agroalimentaire, 2×8."),
            ("Manutentionnaire (H/F)", INTERIM, "N", 8, "Chargement, déchargement et tri de colis."),
            ("Assistant administratif (H/F)", INTERIM, "M", 2, "Saisie, classement et accueil téléphonique."),
        ],
    ),
    (
        "Perspectives Intérim",
        "Travail temporaire",
        True,
        [("Agence de Tourcoing", "Rue de Tournai", "59200", "Tourcoing")],
        [
            ("Soudeur MIG/MAG (H/F)", INTERIM, "H", 3, "Missions de 6 mois et plus, possibilité d'embauche."),
            ("Chauffeur-livreur permis B (H/F)", INTERIM, "N", 4, "Tournées dans la métropole, véhicule fourni."),
            ("Électricien du bâtiment (H/F)", INTERIM, "F", 2, "Chantiers de rénovation de logements."),
        ],
    ),
    (
        "Crédit Mutualiste des Flandres",
        "Banque",
        False,
        [
            ("Agence de Lille-Vauban", "Boulevard Vauban", "59000", "Lille"),
            ("Centre de gestion de Marcq-en-Barœul", "Avenue de la Marne", "59700", "Marcq-en-Barœul"),
        ],
        [
            ("Conseiller clientèle particuliers (H/F)", CDI, "C", 2, "Suivi d'un portefeuille de clients et conseil en épargne."),
            ("Chargé d'accueil en agence (H/F)", CDD, "C", 1, "Accueil, opérations courantes et prise de rendez-vous."),
            ("Gestionnaire back-office crédits (H/F)", CDI, "C", 2, "Instruction et suivi des dossiers de prêt."),
        ],
    ),
    (
        "Assurances du Beffroi",
        "Assurance",
        False,
        [("Siège de Lille", "Rue Nationale", "59000", "Lille")],
        [
            ("Gestionnaire sinistres (H/F)", CDI, "C", 2, "Gestion des déclarations auto et habitation."),
            ("Téléconseiller (H/F)", CDI, "D", 4, "Réponse aux assurés, appels entrants uniquement."),
        ],
    ),
    (
        "Métallerie Deûle Industrie",
        "Métallurgie",
        False,
        [("Usine de Haubourdin", "Rue du Port", "59320", "Haubourdin")],
        [
            ("Soudeur (H/F)", CDI, "H", 2, "Soudure de structures acier, lecture de plans."),
            ("Opérateur sur commande numérique (H/F)", CDI, "H", 2, "Conduite de centres d'usinage, contrôle des pièces."),
            ("Technicien de maintenance industrielle (H/F)", CDI, "I", 1, "Maintenance mécanique et électrique des lignes."),
        ],
    ),
    (
        "Textiles Techniques de Roubaix",
        "Industrie textile",
        True,
        [("Site de l'Union", "Boulevard d'Armentières", "59100", "Roubaix")],
        [
            ("Couturier industriel (H/F)", CDI, "H", 3, "Confection de textiles techniques sur machines plates."),
            ("Conducteur de machines de tissage (H/F)", CDI, "H", 2, "Réglage et surveillance des métiers à tisser."),
        ],
    ),
    (
        "Biscuiterie des Flandres",
        "Agroalimentaire",
        False,
        [("Usine de Wambrechies", "Rue de Bondues", "59118", "Wambrechies")],
        [
            ("Opérateur de conditionnement (H/F)", CDD, "H", 5, "Emballage et contrôle des produits en bout de ligne."),
            ("Agent de fabrication (H/F)", INTERIM, "H", 4, "Pétrissage et cuisson, travail en équipe."),
            ("Technicien qualité (H/F)", CDI, "H", 1, "Contrôles en laboratoire et audits d'hygiène."),
        ],
    ),
    (
        "Ville de Ronchin",
        "Collectivité territoriale",
        True,
        [("Hôtel de Ville", "Place de l'Hôtel de Ville", "59790", "Ronchin")],
        [
            ("Agent d'entretien des espaces verts (H/F)", CDD, "A", 2, "Tonte, taille et fleurissement des parcs de la ville."),
            ("Agent de restauration scolaire (H/F)", CDD, "G", 4, "Service des repas et surveillance de la cantine."),
            ("Agent d'accueil en mairie (H/F)", CDD, "M", 1, "Accueil du public et état civil."),
            ("Animateur périscolaire (H/F)", CDD, "G", 3, "Accueil des enfants avant et après l'école."),
        ],
    ),
    (
        "Nettoyage Industriel du Nord",
        "Propreté",
        False,
        [
            ("Agence de Seclin", "Rue de Burgault", "59113", "Seclin"),
            ("Agence de Roubaix", "Rue de l'Épeule", "59100", "Roubaix"),
        ],
        [
            ("Agent de propreté (H/F)", CDI, "K", 8, "Entretien de bureaux tôt le matin ou en soirée, temps partiel."),
            ("Laveur de vitres (H/F)", CDI, "K", 2, "Nettoyage de vitrerie, travail en hauteur sur nacelle."),
            ("Chef d'équipe propreté (H/F)", CDI, "K", 1, "Encadrement de 8 agents sur plusieurs sites."),
        ],
    ),
    (
        "Clair Net Services",
        "Propreté",
        False,
        [("Agence de Lomme", "Avenue de Dunkerque", "59160", "Lomme")],
        [
            ("Agent d'entretien de bureaux (H/F)", CDI, "K", 5, "Entretien de locaux tertiaires, horaires décalés."),
            ("Agent de propreté en milieu hospitalier (H/F)", CDD, "K", 2, "Bionettoyage, formation assurée."),
        ],
    ),
    (
        "Vigilance Sécurité Nord",
        "Sécurité privée",
        False,
        [("Agence de Lesquin", "Rue Maurice Herzog", "59810", "Lesquin")],
        [
            ("Agent de sécurité SSIAP 1 (H/F)", CDI, "K", 4, "Sécurité incendie et rondes dans un centre commercial."),
            ("Agent de prévention et de sécurité (H/F)", CDD, "K", 3, "Contrôle d'accès sur des sites industriels."),
            ("Agent de sûreté aéroportuaire (H/F)", CDI, "K", 3, "Inspection filtrage à l'aéroport, formation payée."),
        ],
    ),
    (
        "Hôtel du Vieux-Lille",
        "Hôtellerie",
        False,
        [("Hôtel du Vieux-Lille", "Rue de la Monnaie", "59800", "Lille")],
        [
            ("Réceptionniste (H/F)", CDI, "G", 1, "Accueil des clients, check-in et réservations, anglais courant."),
            ("Valet ou femme de chambre (H/F)", CDD, "G", 3, "Entretien des chambres, 4 h par matinée."),
        ],
    ),
    (
        "Brasserie du Beffroi",
        "Restauration",
        False,
        [("Brasserie du Beffroi", "Place Rihour", "59000", "Lille")],
        [
            ("Serveur (H/F)", CDI, "G", 2, "Service en salle et en terrasse, coupure l'après-midi."),
            ("Plongeur (H/F)", CDD, "G", 1, "Plonge et entretien de la cuisine."),
            ("Cuisinier (H/F)", CDI, "G", 1, "Cuisine de brasserie, produits frais."),
        ],
    ),
    (
        "Restauration Collective des Hauts-de-France",
        "Restauration collective",
        True,
        [("Cuisine centrale de Lomme", "Rue du Marais", "59160", "Lomme")],
        [
            ("Cuisinier en restauration collective (H/F)", CDI, "G", 2, "Production des repas pour écoles et EHPAD, pas de soirée."),
            ("Agent polyvalent de restauration (H/F)", CDD, "G", 4, "Préparations froides, service et plonge."),
            ("Chauffeur-livreur de repas (H/F)", CDD, "N", 2, "Livraison des repas en liaison froide, permis B."),
        ],
    ),
    (
        "EHPAD Les Tilleuls",
        "Hébergement de personnes âgées",
        True,
        [("EHPAD Les Tilleuls", "Rue des Tilleuls", "59510", "Hem")],
        [
            ("Aide-soignant de nuit (H/F)", CDI, "J", 2, "Surveillance et soins de nuit, 10 nuits par mois."),
            ("Agent de service hospitalier (H/F)", CDI, "K", 2, "Entretien des chambres et service en salle à manger."),
            ("Animateur en gérontologie (H/F)", CDD, "G", 1, "Ateliers mémoire, sorties et fêtes de la résidence."),
        ],
    ),
    (
        "Bâtiment Construction Métropole",
        "Bâtiment et travaux publics",
        False,
        [("Agence de Villeneuve-d'Ascq", "Rue de la Vieille Église", "59650", "Villeneuve-d'Ascq")],
        [
            ("Maçon (H/F)", CDI, "F", 3, "Gros œuvre sur des chantiers de logements collectifs."),
            ("Conducteur de travaux (H/F)", CDI, "F", 1, "Suivi de 3 à 4 chantiers, relation avec les sous-traitants."),
            ("Plaquiste (H/F)", INTERIM, "F", 2, "Pose de cloisons et de faux plafonds."),
        ],
    ),
    (
        "Électricité Flandres Services",
        "Installation électrique et climatique",
        False,
        [("Atelier de Lambersart", "Avenue de l'Hippodrome", "59130", "Lambersart")],
        [
            ("Électricien du bâtiment (H/F)", CDI, "F", 2, "Installations neuves et rénovation, habilitation B1V souhaitée."),
            ("Technicien de maintenance CVC (H/F)", CDI, "I", 1, "Entretien de chaudières et de climatisations chez les clients."),
        ],
    ),
    (
        "Jardins et Paysages de la Marque",
        "Paysage",
        False,
        [("Pépinière de Forest-sur-Marque", "Chemin de la Marque", "59510", "Forest-sur-Marque")],
        [
            ("Jardinier paysagiste (H/F)", CDD, "A", 3, "Entretien de jardins de particuliers et d'entreprises."),
            ("Chef d'équipe espaces verts (H/F)", CDI, "A", 1, "Organisation des chantiers, permis BE apprécié."),
        ],
    ),
    (
        "Cabinet comptable Vauban Conseil",
        "Expertise comptable",
        True,
        [("Cabinet de Lille", "Rue Solférino", "59000", "Lille")],
        [
            ("Assistant comptable (H/F)", CDI, "M", 1, "Saisie, rapprochements bancaires et déclarations de TVA."),
            ("Secrétaire administratif (H/F)", CDD, "M", 1, "Accueil, courrier et classement des dossiers clients."),
        ],
    ),
    (
        "Nord Relation Client",
        "Centre de contacts",
        False,
        [("Plateau de Roubaix", "Boulevard du Général Leclerc", "59100", "Roubaix")],
        [
            ("Téléconseiller service client (H/F)", CDI, "D", 8, "Appels entrants d'un fournisseur d'énergie, formation de 3 semaines."),
            ("Superviseur de plateau (H/F)", CDI, "D", 1, "Animation d'une équipe de 15 téléconseillers."),
        ],
    ),
    (
        "Bricolage Maison Lesquin",
        "Commerce de bricolage",
        False,
        [("Magasin de Lesquin", "Rue des Saules", "59810", "Lesquin")],
        [
            ("Vendeur conseil en bricolage (H/F)", CDI, "D", 2, "Conseil aux clients au rayon outillage ou jardin."),
            ("Hôte d'accueil magasin (H/F)", CDD, "D", 1, "Accueil, service après-vente et retours."),
        ],
    ),
    (
        "Garage Central Automobiles",
        "Réparation automobile",
        False,
        [("Garage de Mons-en-Barœul", "Rue du Général de Gaulle", "59370", "Mons-en-Barœul")],
        [
            ("Mécanicien automobile (H/F)", CDI, "I", 2, "Entretien et diagnostic toutes marques."),
            ("Carrossier peintre (H/F)", CDI, "I", 1, "Réparation de carrosserie et préparation peinture."),
        ],
    ),
    (
        "Ambulances de la Métropole",
        "Transport sanitaire",
        True,
        [("Base de Wattrelos", "Rue Carnot", "59150", "Wattrelos")],
        [
            ("Ambulancier diplômé (H/F)", CDI, "J", 2, "Transports urgents et programmés, travail en binôme."),
            ("Auxiliaire ambulancier (H/F)", CDD, "J", 2, "Formation de 70 heures financée par l'entreprise."),
            ("Chauffeur de taxi conventionné (H/F)", CDI, "N", 1, "Transport assis de patients, carte professionnelle requise."),
        ],
    ),
    (
        "Transports Routiers Delcourt",
        "Transport routier de marchandises",
        False,
        [("Site de Seclin", "Rue de l'Industrie", "59113", "Seclin")],
        [
            ("Conducteur poids lourd (H/F)", CDI, "N", 3, "Transport régional, retour au domicile chaque soir."),
            ("Exploitant transport (H/F)", CDI, "N", 1, "Organisation des tournées et suivi des chauffeurs."),
        ],
    ),
    (
        "Livraisons Express Lilloises",
        "Messagerie et livraison",
        False,
        [("Agence de Lomme", "Rue de la Mitterie", "59160", "Lomme")],
        [
            ("Chauffeur-livreur VL (H/F)", CDD, "N", 5, "Livraison de colis aux professionnels, 8 h – 16 h."),
            ("Agent de tri (H/F)", CDD_SHORT, "N", 4, "Tri des colis en début de matinée."),
        ],
    ),
    (
        "Imprimerie du Septentrion",
        "Imprimerie",
        False,
        [("Atelier de Marcq-en-Barœul", "Rue de Menin", "59700", "Marcq-en-Barœul")],
        [
            ("Conducteur offset (H/F)", CDI, "E", 1, "Calage et conduite d'une presse 4 couleurs."),
            ("Opérateur de façonnage (H/F)", CDD, "E", 2, "Pliage, massicot et mise sous film."),
        ],
    ),
    (
        "Crèches Les Petits Pas",
        "Petite enfance",
        False,
        [("Crèche de Lambersart", "Avenue de l'Hippodrome", "59130", "Lambersart")],
        [
            ("Auxiliaire petite enfance (H/F)", CDI, "K", 2, "Accompagnement des enfants de 10 semaines à 3 ans, CAP AEPE."),
            ("Agent d'entretien et de restauration (H/F)", CDD, "K", 1, "Préparation des repas et entretien des locaux."),
        ],
    ),
    (
        "Résidence Services Les Hortensias",
        "Résidence services seniors",
        True,
        [("Résidence de Marcq-en-Barœul", "Avenue Foch", "59700", "Marcq-en-Barœul")],
        [
            ("Employé polyvalent de résidence (H/F)", CDI, "K", 2, "Accueil des résidents, petits travaux et service."),
            ("Commis de cuisine (H/F)", CDI, "G", 1, "Préparation des repas du restaurant de la résidence."),
        ],
    ),
    (
        "Mutuelle Santé du Nord",
        "Mutuelle",
        True,
        [("Agence de Tourcoing", "Rue de Lille", "59200", "Tourcoing")],
        [
            ("Conseiller mutualiste (H/F)", CDI, "C", 2, "Accueil des adhérents et conseil sur les garanties santé."),
            ("Gestionnaire prestations santé (H/F)", CDD, "C", 2, "Traitement des remboursements et des devis."),
        ],
    ),
    (
        "Habitat Métropole Lille",
        "Logement social",
        False,
        [("Agence de Lille-Sud", "Rue du Faubourg des Postes", "59000", "Lille")],
        [
            ("Gardien d'immeuble (H/F)", CDI, "K", 3, "Logement de fonction, entretien des parties communes."),
            ("Chargé de clientèle locative (H/F)", CDI, "C", 1, "Accueil des locataires et suivi des réclamations."),
            ("Agent de maintenance du bâtiment (H/F)", CDI, "I", 2, "Petites réparations dans les logements."),
        ],
    ),
    (
        "Boulangeries Artisanales du Nord",
        "Boulangerie",
        False,
        [("Fournil de Mons-en-Barœul", "Rue Jean-Baptiste Lebas", "59370", "Mons-en-Barœul")],
        [
            ("Vendeur en boulangerie (H/F)", CDI, "D", 3, "Vente et mise en place de la boutique, début à 6 h 30."),
            ("Boulanger (H/F)", CDI, "D", 1, "Fabrication des pains et viennoiseries."),
            ("Apprenti boulanger (H/F)", ALTERNANCE, "D", 1, "CAP boulanger en un an, reconversion bienvenue."),
        ],
    ),
    (
        "Sport Nature Villeneuve",
        "Commerce d'articles de sport",
        False,
        [("Magasin de Villeneuve-d'Ascq", "Rue du Calvaire", "59650", "Villeneuve-d'Ascq")],
        [
            ("Vendeur en articles de sport (H/F)", CDD, "D", 2, "Conseil aux clients au rayon randonnée ou vélo."),
            ("Technicien cycle (H/F)", CDI, "I", 1, "Réparation et entretien des vélos à l'atelier."),
        ],
    ),
    (
        "Pharmacie de la Grand-Place",
        "Pharmacie",
        False,
        [("Pharmacie de la Grand-Place", "Grand-Place", "59100", "Roubaix")],
        [
            ("Préparateur en pharmacie (H/F)", CDI, "J", 1, "Délivrance des ordonnances et conseil au comptoir."),
        ],
    ),
]
# fmt: on


def _ensure_admin() -> tuple[User, bool]:
    user = db.session.scalar(select(User).where(User.email == DEMO_ADMIN_EMAIL))
    if user:
        return user, False
    return create_user(
        DEMO_ADMIN_EMAIL, "Camille Administratrice", DEMO_ADMIN_PASSWORD, Role.ADMIN
    ), True


def _load_tours() -> tuple[Tour, Tour]:
    venues = []
    for town, name, address, postcode, transport, access, _capacity, _day in VENUES:
        venue = Venue(
            name=name,
            address=address,
            postcode=postcode,
            town=town,
            transport=transport,
            accessibility=access,
        )
        venues.append(venue)
    history = Tour(
        slug="jdt-2023",
        name="Job Dating Tour 2023",
        year=2023,
        min_age=50,
        description="Six étapes dans la métropole lilloise, de septembre à octobre 2023.",
    )
    for venue, spec in zip(venues, VENUES, strict=True):
        day = spec[7]
        history.events.append(
            Event(
                venue=venue,
                date=day,
                starts_at=time(9),
                ends_at=time(13),
                capacity=spec[6],
                registration_opens_on=day - timedelta(days=45),
                registration_closes_on=day - timedelta(days=1),
                status=EventStatus.PUBLISHED,
            )
        )
    # The next tour: the same six towns, one étape a week from three weeks from now.
    first = today_in_paris() + timedelta(days=21)
    first += timedelta(days=(1 - first.weekday()) % 7)  # a Tuesday
    upcoming = Tour(
        slug=f"jdt-{first.year}",
        name=f"Job Dating Tour {first.year}",
        year=first.year,
        min_age=50,
        description="Six rencontres avec des employeurs qui recrutent, près de chez vous.",
    )
    for index, (venue, spec) in enumerate(zip(venues, VENUES, strict=True)):
        day = first + timedelta(weeks=index)
        upcoming.events.append(
            Event(
                venue=venue,
                date=day,
                starts_at=time(9) if index % 2 == 0 else time(13, 30),
                ends_at=time(12, 30) if index % 2 == 0 else time(17),
                capacity=spec[6],
                registration_opens_on=today_in_paris() - timedelta(days=14),
                registration_closes_on=day - timedelta(days=1),
                status=EventStatus.PUBLISHED,
            )
        )
    db.session.add_all([history, upcoming])
    db.session.flush()
    return history, upcoming


def _add_etape_of_the_day(upcoming: Tour) -> Event:
    """An étape today at the first venue, this morning, to try the check-in tablets with
    (its people were registered by phone: online registration closed yesterday)."""
    today = today_in_paris()
    venue = upcoming.events[0].venue
    event = Event(
        venue=venue,
        date=today,
        starts_at=time(9),
        ends_at=time(12, 30),
        capacity=120,
        registration_opens_on=today - timedelta(days=30),
        registration_closes_on=today - timedelta(days=1),
        status=EventStatus.PUBLISHED,
        notes="Étape de démonstration du jour : appairez une tablette depuis « Accueil et tablettes ».",
    )
    upcoming.events.append(event)
    db.session.flush()
    return event


def _fake_details(fake, rng: random.Random) -> CandidateDetails:
    female = rng.random() < 0.52
    first_name = fake.first_name_female() if female else fake.first_name_male()
    last_name = fake.last_name()
    has_email = rng.random() < 0.85
    email = None
    if has_email:
        # Reserved example domains: no demo email can ever reach a real mailbox.
        domain = rng.choice(["exemple.fr", "exemple.com", "example.org", "example.net"])
        local = f"{first_name}.{last_name}".lower()
        local = "".join(c for c in local.replace(" ", "-") if c.isalnum() or c in ".-")
        email = f"{local}{rng.randint(1, 99)}@{domain}".encode("ascii", "ignore").decode()
    phone = (
        "+336" + "".join(str(rng.randint(0, 9)) for _ in range(8))
        if (not has_email or rng.random() < 0.8)
        else None
    )
    return CandidateDetails(
        last_name=last_name,
        first_name=first_name,
        email=email,
        phone=phone,
        birth_year=rng.randint(1957, 1973),
        postcode=rng.choice(
            [
                "59000",
                "59100",
                "59118",
                "59130",
                "59150",
                "59160",
                "59200",
                "59260",
                "59370",
                "59390",
                "59420",
                "59510",
                "59650",
                "59700",
                "59790",
            ]
        ),
        referral=rng.choices(list(Referral), weights=[40, 8, 5, 12, 8, 10, 14, 3])[0],
        domains=rng.sample(sorted(ROME_DOMAINS), k=rng.randint(1, 3)),
        wants_workshop=rng.random() < 0.3,
    )


def _load_people(upcoming: Tour, seed: int) -> int:
    from faker import Faker

    fake = Faker("fr_FR")
    Faker.seed(seed)
    rng = random.Random(seed)
    created = 0
    for index, event in enumerate(upcoming.events):
        # The second étape is full with a waiting list; the others fill up progressively.
        target = event.capacity + 6 if index == 1 else int(event.capacity * rng.uniform(0.25, 0.7))
        for _ in range(target):
            source = RegistrationSource.PHONE if rng.random() < 0.12 else RegistrationSource.ONLINE
            if not event.registration_is_open(today_in_paris()):
                source = RegistrationSource.PHONE
            registration = register(event.id, _fake_details(fake, rng), source=source, notify=False)
            created += 1
            if rng.random() < 0.04 and index != 1:
                cancel(registration, notify=False)
    return created


def _contact_email(first_name: str, last_name: str, company: str) -> str:
    """An address on a reserved `.example` domain: no demo email reaches a real mailbox."""

    def slug(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
        return "-".join("".join(c if c.isalnum() else " " for c in plain).split())

    return f"{slug(first_name)}.{slug(last_name)}@{slug(company)}.example"


def _save_employers(fake, rng: random.Random) -> list[tuple[Establishment, tuple[str, str]]]:
    """Every establishment of the pool with its HR contact (name, email); a company with two
    sites sometimes has one contact for both (who then sees the whole company)."""
    sirens: set[str] = set()
    saved = []
    for company, sector, charter, sites, _offers in EMPLOYERS:
        siren = None
        while siren is None or siren in sirens:
            body = str(rng.randint(30_000_000, 99_999_999))
            siren = body + luhn.calc_check_digit(body)
        sirens.add(siren)
        numbers = rng.sample(range(11, 400), k=len(sites))
        shared_contact = len(sites) > 1 and rng.random() < 0.5
        contact = None
        for (name, address, postcode, town), number in zip(sites, sorted(numbers), strict=True):
            body = f"{siren}{number:04d}"
            establishment = save_establishment(
                EstablishmentDetails(
                    siret=body + luhn.calc_check_digit(body),
                    company_name=company,
                    name=name,
                    address=f"{rng.randint(1, 180)} {address}",
                    postcode=postcode,
                    town=town,
                    sector=sector,
                    charter_signatory=charter,
                )
            )
            if contact is None or not shared_contact:
                first_name, last_name = fake.first_name(), fake.last_name()
                contact = (
                    f"{first_name} {last_name}",
                    _contact_email(first_name, last_name, company),
                )
            saved.append((establishment, contact))
    return saved


def _shifted(at: time, minutes: int) -> time:
    return (datetime.combine(date(2000, 1, 1), at) + timedelta(minutes=minutes)).time()


def _participation_details(
    event: Event, offers: list[Offer], contact: tuple[str, str], rng: random.Random
) -> ParticipationDetails:
    """1 to 3 tables, hours within the étape's, 1 to 3 of the employer's offers."""
    return ParticipationDetails(
        contact_name=contact[0],
        contact_email=contact[1],
        contact_phone="03 20 " + " ".join(f"{rng.randint(0, 99):02d}" for _ in range(3)),
        tables=rng.choices([1, 2, 3], weights=[5, 3, 1])[0],
        starts_at=_shifted(event.starts_at, rng.choice([0, 0, 0, 30])),
        ends_at=_shifted(event.ends_at, -rng.choice([0, 0, 30, 60])),
        message=rng.choice(
            ["", "", "", "Nous recrutons toute l'année : candidats de plus de 50 ans bienvenus."]
        ),
        offers=[
            OfferDetails(
                title=title,
                contract_type=contract,
                rome_domain=domain,
                positions=positions,
                description=description,
            )
            for title, contract, domain, positions, description in rng.sample(
                offers, k=min(len(offers), rng.randint(1, 3))
            )
        ],
    )


def _load_participations(
    upcoming: Tour, admin: User, fake, rng: random.Random
) -> dict[int, list[Participation]]:
    """15 to 20 employers per étape of the upcoming tour: most accepted with their slots, one
    or two still requested (for staff to decide), one refused. Returns the accepted ones."""
    establishments = _save_employers(fake, rng)
    offers_of = {company: offers for company, _s, _c, _sites, offers in EMPLOYERS}
    accepted: dict[int, list[Participation]] = {}
    for index, event in enumerate(upcoming.events):
        chosen = rng.sample(establishments, k=rng.randint(15, 20))
        pending = rng.choice([1, 2]) if index == 0 else rng.choice([0, 1, 1])
        accepted[event.id] = []
        for position, (establishment, contact) in enumerate(chosen):
            details = _participation_details(
                event, offers_of[establishment.company.name], contact, rng
            )
            (participation,) = request_participation(
                [event.id], establishment, details, notify=False
            )
            if position < pending:
                continue
            if index == 2 and position == pending:
                refuse_participation(
                    participation,
                    admin,
                    "Toutes les tables de cette étape sont déjà attribuées. Nous pouvons vous "
                    "accueillir à l'étape suivante : dites-nous si cela vous convient.",
                )
                continue
            accepted[event.id].append(slots.accept(participation, by=admin))
    return accepted


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    items, weights, chosen = list(items), list(weights), []
    for _ in range(min(k, len(items))):
        pick = rng.choices(range(len(items)), weights=weights)[0]
        chosen.append(items.pop(pick))
        weights.pop(pick)
    return chosen


def _load_wishes(
    registrations: list[Registration], participations: list[Participation], rng: random.Random
) -> dict[int, list[Participation]]:
    """~70 % share their profile; most rank 2 to 5 employers, preferring those whose offers
    match the domains they seek (and then, often, that offer). Returns each one's wishes."""
    wished: dict[int, list[Participation]] = {}
    for registration in registrations:
        if rng.random() < 0.7:
            set_profile_sharing(registration, True)
        if rng.random() >= 0.8:
            continue
        domains = set(registration.candidate.domains)
        matches = [
            sum(offer.rome_domain in domains for offer in participation.offers)
            for participation in participations
        ]
        # Someone seeking a trade few employers offer adds one or two others, not five.
        employers_in_domains = sum(1 for m in matches if m)
        count = rng.randint(
            2, min(5, registration.event.max_wishes, max(2, employers_in_domains + 1))
        )
        chosen = _weighted_sample(rng, participations, [12 * m if m else 1 for m in matches], count)
        choices = []
        for participation in chosen:
            matching = [offer for offer in participation.offers if offer.rome_domain in domains]
            offer = rng.choice(matching) if matching and rng.random() < 0.6 else None
            choices.append(WishChoice(participation.id, offer.id if offer else None))
        set_wishes(registration, choices)
        wished[registration.id] = chosen
    return wished


def _load_reviews(
    registrations: list[Registration],
    participations: list[Participation],
    wished: dict[int, list[Participation]],
    rng: random.Random,
) -> int:
    """A few employers look at the shared profiles of those who chose them: most are
    shortlisted ("je souhaite rencontrer"), some declined ("pas ce profil")."""
    reviews = 0
    for participation in rng.sample(participations, k=min(3, len(participations))):
        reviewer = db.session.scalar(select(User).where(User.email == participation.contact_email))
        candidates = [
            registration
            for registration in registrations
            if registration.shares_profile and participation in wished.get(registration.id, [])
        ]
        for registration in rng.sample(candidates, k=min(len(candidates), rng.randint(2, 5))):
            verdict = Verdict.SHORTLISTED if rng.random() < 0.8 else Verdict.DECLINED
            review(participation, registration, verdict, by=reviewer)
            reviews += 1
    return reviews


def _load_bookings(
    event: Event,
    registrations: list[Registration],
    participations: list[Participation],
    wished: dict[int, list[Participation]],
    admin: User,
    rng: random.Random,
) -> int:
    """Self-booking is open at this étape: ~40 % of its candidates have booked one or two
    interviews (phone registrations through staff), their wishes first. Free slots are
    tracked here so that only the booking itself goes to the database."""
    event.self_booking_open = True
    db.session.flush()
    free: dict[int, list[Slot]] = {participation.id: [] for participation in participations}
    for slot in db.session.scalars(
        select(Slot)
        .where(Slot.participation_id.in_(free), Slot.in_hours.is_(True))
        .order_by(Slot.starts_at, Slot.table_number)
    ):
        free[slot.participation_id].append(slot)
    booked = 0
    for registration in registrations:
        if rng.random() >= 0.4:
            continue
        wanted = rng.choice([1, 1, 2])
        others = [p for p in participations if p not in wished.get(registration.id, [])]
        mine: list[Interview] = []
        for participation in wished.get(registration.id, []) + rng.sample(
            others, k=min(3, len(others))
        ):
            if len(mine) == wanted:
                break
            open_slots = [
                slot
                for slot in free[participation.id]
                if not clashes(slot, mine, event.changeover_minutes)
            ]
            if not open_slots:
                continue
            slot = rng.choice(open_slots[: max(3, len(open_slots) // 2)])
            by_phone = registration.source == RegistrationSource.PHONE
            try:
                interview = book(
                    registration.id,
                    slot.id,
                    source=InterviewSource.STAFF if by_phone else InterviewSource.SELF,
                    by=admin if by_phone else None,
                    notify=False,
                )
            except DomainError:  # declined by the employer, for instance
                continue
            free[participation.id].remove(slot)
            mine.append(interview)
            booked += 1
    return booked


def _load_employers(upcoming: Tour, admin: User, seed: int) -> dict[str, int | str]:
    """Employers, offers and slots at every étape of the upcoming tour; the confirmed
    candidates' wishes and shared profiles; reviews; bookings at the first étape."""
    from faker import Faker

    fake = Faker("fr_FR")
    fake.seed_instance(seed + 1)
    rng = random.Random(seed + 1)
    accepted = _load_participations(upcoming, admin, fake, rng)
    first_employer = accepted[upcoming.events[0].id][0]
    counts = {
        "establishments": db.session.scalar(select(func.count(Establishment.id))),
        "participations": db.session.scalar(select(func.count(Participation.id))),
        "requested": db.session.scalar(
            select(func.count(Participation.id)).where(
                Participation.status == ParticipationStatus.REQUESTED
            )
        ),
        "sign_in": f"{first_employer.contact_email} ({first_employer.establishment.display_name})",
        "wishes": 0,
        "reviews": 0,
        "interviews": 0,
    }
    for index, event in enumerate(upcoming.events):
        registrations = list(
            db.session.scalars(
                select(Registration)
                .where(
                    Registration.event_id == event.id,
                    Registration.status == RegistrationStatus.CONFIRMED,
                )
                .order_by(Registration.id)
            )
        )
        wished = _load_wishes(registrations, accepted[event.id], rng)
        counts["wishes"] += sum(len(chosen) for chosen in wished.values())
        counts["reviews"] += _load_reviews(registrations, accepted[event.id], wished, rng)
        if index == 0 or event.date == today_in_paris():
            counts["interviews"] += _load_bookings(
                event, registrations, accepted[event.id], wished, admin, rng
            )
    return counts


@demo.command("load")
@click.option("--with-people", is_flag=True, help="Ajouter des candidats fictifs (Faker fr_FR).")
@click.option(
    "--seed", default=2023, show_default=True, help="Graine du hasard (données reproductibles)."
)
@click.option("--if-empty", is_flag=True, help="Ne rien faire si une tournée existe déjà.")
def load(with_people: bool, seed: int, if_empty: bool) -> None:
    """Load the demo tours, venues, étapes and admin account."""
    if db.session.scalar(select(func.count(Tour.id))):
        if if_empty:
            click.echo("Des données existent déjà : rien n'est chargé.")
            _print_admin(*_ensure_admin())
            db.session.commit()
            return
        raise click.ClickException(
            "Des tournées existent déjà dans cette base : rien n'est chargé."
        )
    _history, upcoming = _load_tours()
    admin = _ensure_admin()
    of_the_day = None
    if with_people:
        of_the_day = _add_etape_of_the_day(upcoming)
        people = _load_people(upcoming, seed)
        employers = _load_employers(upcoming, admin[0], seed)
        # Fictitious people and employers get no email: drop what the services queued.
        db.session.execute(delete(OutboxMessage))
    db.session.commit()
    click.echo(
        f"Tournées chargées : Job Dating Tour 2023 (historique) et {upcoming.name} (inscriptions ouvertes)."
    )
    if with_people:
        click.echo(f"{people} inscriptions fictives créées.")
        click.echo(
            f"{employers['establishments']} établissements de {len(EMPLOYERS)} entreprises ; "
            f"{employers['participations']} participations aux étapes ({employers['requested']} en attente de décision) ; "
            f"{employers['wishes']} vœux, {employers['reviews']} avis sur des profils, "
            f"{employers['interviews']} entretiens réservés (étapes de {upcoming.events[0].venue.town} et du jour)."
        )
        click.echo(
            f"Étape du jour : {of_the_day.venue.town}, aujourd'hui de 9 h à 12 h 30 "
            "(accueil : Back-office, l'étape, « Accueil et tablettes »)."
        )
        click.echo(
            f"Espace employeur : {employers['sign_in']} (connexion par lien envoyé par e-mail)."
        )
    _print_admin(*admin)


def _print_admin(user: User, created: bool) -> None:
    if created:
        click.echo(
            f"Compte administrateur de démonstration : {DEMO_ADMIN_EMAIL} / mot de passe : {DEMO_ADMIN_PASSWORD}"
        )
    else:
        click.echo(
            f"Compte administrateur de démonstration : {user.email} (mot de passe : {DEMO_ADMIN_PASSWORD}, s'il n'a pas été changé)"
        )
