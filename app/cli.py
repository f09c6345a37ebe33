"""`flask <group> <command>`: one group per domain."""

from flask import Flask


def register_cli(app: Flask) -> None:
    from app.auth.cli import users
    from app.demo import demo
    from app.interviews.cli import schedule
    from app.jobs import jobs
    from app.notifications.cli import mail_cli, outbox

    for group in (users, demo, jobs, outbox, mail_cli, schedule):
        app.cli.add_command(group)
