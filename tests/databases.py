"""Finding a PostgreSQL server for the tests.

Order: TEST_DATABASE_URL if set; else the server on 127.0.0.1:5432; else a throwaway cluster
started from the installed PostgreSQL binaries. In CI (CI=true) not finding one is an error;
elsewhere the PostgreSQL variants of the tests are skipped with one line saying why.
"""

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import psycopg

STRICT = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _server_url() -> str | None:
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    for user in ("postgres", os.environ.get("USER", "root")):
        url = f"postgresql://{user}@127.0.0.1:5432/postgres"
        try:
            with psycopg.connect(url, connect_timeout=3):
                return url
        except psycopg.Error:
            continue
    return _throwaway_cluster()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _throwaway_cluster() -> str | None:
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        return None
    bindir = os.path.dirname(binaries[-1])
    folder = tempfile.mkdtemp(prefix="jdt-pg-")
    port = _free_port()
    run_as = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(folder, "data")
    subprocess.run(
        [*run_as, f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", "trust"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            f"{bindir}/pg_ctl",
            "-D",
            data,
            "-l",
            os.path.join(folder, "log"),
            "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1",
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    atexit.register(
        lambda: subprocess.run(
            [*run_as, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
            capture_output=True,
        )
    )
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    for _ in range(50):
        try:
            with psycopg.connect(url, connect_timeout=2):
                return url
        except psycopg.Error:
            time.sleep(0.2)
    return None


_cached: dict[str, str | None] = {}


def server_url() -> str | None:
    if "url" not in _cached:
        try:
            _cached["url"] = _server_url()
        except (OSError, subprocess.SubprocessError, psycopg.Error):
            _cached["url"] = None
    return _cached["url"]


def create_database(prefix: str = "jdt_test") -> str:
    """Create a fresh database on the server and return its SQLAlchemy URL."""
    base = server_url()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    atexit.register(drop_database, name)
    url = base.rsplit("/", 1)[0] + "/" + name
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def drop_database(name: str) -> None:
    try:
        with psycopg.connect(server_url(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error:
        pass
