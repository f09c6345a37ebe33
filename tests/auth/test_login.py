import pytest
from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db


def test_staff_signs_in_and_reaches_the_back_office(client, make_user):
    user = make_user(Role.STAFF)
    response = client.post(
        "/connexion", data={"email": user.email.upper(), "password": "motdepasse-solide"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, make_user):
    user = make_user()
    response = client.post("/connexion", data={"email": user.email, "password": "pas-le-bon"})
    assert response.status_code == 422
    assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_inactive_user_cannot_sign_in(client, make_user):
    user = make_user()
    user.active = False
    db.session.commit()
    response = client.post(
        "/connexion", data={"email": user.email, "password": "motdepasse-solide"}
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "/%5Cevil.example/x", "/%0d%0aSet-Cookie:%20x=1", "https://evil.example/"],
    ids=["another site", "a backslash", "a line break", "an absolute address"],
)
def test_next_parameter_cannot_redirect_elsewhere(client, make_user, target):
    user = make_user()
    response = client.post(
        f"/connexion?next={target}",
        data={"email": user.email, "password": "motdepasse-solide"},
    )
    assert response.headers["Location"] == "/admin/"


@pytest.mark.parametrize("target", ["//evil.example/x", "/%0d%0a", "/%5Cevil.example"])
def test_the_language_link_goes_back_only_to_this_site(client, target):
    response = client.get(f"/langue/en?next={target}")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/langue/fr?next=/etapes").headers["Location"] == "/etapes"


def test_sign_in_attempts_are_rate_limited(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        make_user()
        client = app.test_client()
        statuses = [
            client.post(
                "/connexion", data={"email": "x@asso.example", "password": "non"}
            ).status_code
            for _ in range(11)
        ]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429


def test_behind_a_proxy_each_client_has_its_own_limit(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
    with app.app_context():
        make_user()
        client = app.test_client()

        def attempt(client_address):
            return client.post(
                "/connexion",
                data={"email": "x@asso.example", "password": "non"},
                headers={"X-Forwarded-For": client_address},
            ).status_code

        first = [attempt("203.0.113.7") for _ in range(11)]
        other = attempt("198.51.100.4")
    assert first[10] == 429
    assert other == 422  # another person behind the same proxy is not locked out


def test_employer_sign_in_requests_are_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        statuses = [
            client.post("/espace-employeur/connexion", data={"email": "rh@exemple.fr"}).status_code
            for _ in range(11)
        ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_logout_needs_a_post(staff_client):
    assert staff_client.get("/deconnexion").status_code == 405
    assert staff_client.post("/deconnexion").status_code == 302
    assert staff_client.get("/admin/").status_code == 302


def test_users_create_command(runner):
    result = runner.invoke(
        args=["users", "create", "Chef@Asso.example", "--name", "Chef", "--role", "admin"],
        input="un-mot-de-passe-long\nun-mot-de-passe-long\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "chef@asso.example"))
    assert user.role == Role.ADMIN and user.check_password("un-mot-de-passe-long")
    again = runner.invoke(
        args=["users", "create", "chef@asso.example", "--name", "Chef"],
        input="un-mot-de-passe-long\nun-mot-de-passe-long\n",
    )
    assert again.exit_code != 0
    assert "existe déjà" in again.output
