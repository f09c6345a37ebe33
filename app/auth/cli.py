"""`flask users …`: staff accounts."""

import click
from flask.cli import AppGroup

from app.auth import services
from app.auth.models import Role
from app.errors import DomainError
from app.extensions import db

users = AppGroup("users", help="Comptes de l'équipe.")


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Nom affiché.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.STAFF.value)
@click.password_option(help="Mot de passe (au moins 10 caractères).")
def create(email: str, name: str, role: str, password: str) -> None:
    """Create a staff or admin account."""
    try:
        user = services.create_user(email, name, password, Role(role))
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Compte créé : {user.email} ({user.role})")
