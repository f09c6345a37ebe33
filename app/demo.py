"""`flask demo load`: the 2023 tour's six towns, an upcoming tour open for registration, a demo
admin, and (with --with-people) realistic French candidates so that every page looks lived-in."""

import random
from datetime import date, time, timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import delete, func, select

from app.auth.models import Role, User
from app.auth.services import create_user
from app.candidates.models import Referral, RegistrationSource
from app.candidates.services import CandidateDetails, cancel, register
from app.events.models import Event, EventStatus, Tour, Venue, today_in_paris
from app.events.rome import ROME_DOMAINS
from app.extensions import db
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
            registration = register(event.id, _fake_details(fake, rng), source=source)
            created += 1
            if rng.random() < 0.04 and index != 1:
                cancel(registration)
    # Fictitious people get no email: drop what their registrations queued.
    db.session.execute(delete(OutboxMessage))
    return created


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
    people = _load_people(upcoming, seed) if with_people else 0
    admin = _ensure_admin()
    db.session.commit()
    click.echo(
        f"Tournées chargées : Job Dating Tour 2023 (historique) et {upcoming.name} (inscriptions ouvertes)."
    )
    if with_people:
        click.echo(f"{people} inscriptions fictives créées.")
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
