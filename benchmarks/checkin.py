"""Check-in benchmark: the check-in and search API under load, beside a bare Flask "hello".

    .venv/bin/python benchmarks/checkin.py [--duration 15] [--rounds 3]
                                           [--databases sqlite,postgresql]

For each database: a throwaway database with the schema of `flask db upgrade`, one étape of
today with 5,000 confirmed registrations (French names from Faker, registered through
`register`) and a paired tablet; then the app under gunicorn (2 sync workers) and, in the same
run, a bare Flask app answering "hello" under its own gunicorn (2 workers), both on 127.0.0.1.
wrk loads each endpoint with the same settings (2 threads, 32 connections, after a short
warm-up): the hello endpoint, `POST /api/v1/events/<id>/check-ins` (every request a ticket code
of the étape, taken in turn, and a fresh nonce) and `GET /api/v1/events/<id>/search?q=<surname>`;
and the "floor" (`benchmarks/checkin_floor.py`: the same scan's statements on the bare driver
in a bare Flask app, under its own gunicorn, what the app costs without its layers); then each
of them again with a single connection, to tell a request's own time from queueing. Under
load, the endpoints take turns (3 rounds of 5 s by default): a slow spell of a shared machine
falls on all of them, and p99 is the worst round's.
The rate limiter is off (RATELIMIT_ENABLED=false). Prints a Markdown table per database,
with the CPU time per answer of the app's gunicorn (master and workers) and of PostgreSQL's
processes, read from /proc: on a shared machine, what each request costs.

Needs wrk (`apt-get install -y wrk`) and, for PostgreSQL, a server on 127.0.0.1:5432 (trust
authentication, user postgres; see --postgres-url): the database `bench_checkin` is created
and dropped again.
"""

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REGISTRATIONS = 5_000
CAPACITY = 6_000
THREADS = 2
CONNECTIONS = 32
WORKERS = 2
WARM_UP_SECONDS = 3
#: The endpoints under load take turns this many times (`--duration` split between them).
ROUNDS = 3
#: The same endpoints with one connection: the time of a request without queueing.
ALONE_SECONDS = 5
POSTGRES_DATABASE = "bench_checkin"
#: Sessions of the benchmark's own processes (itself, wrk, the gunicorn servers): the CPU
#: time of every other process during a measured run is reported, as a sign of a busy machine.
IGNORED_SESSIONS = {os.getsid(0)}
#: Targets of the issue.
CHECK_IN_SHARE_OF_HELLO = 0.40
P99_TARGET_MS = 50.0

HELLO_APP = '''"""A bare Flask app, the yardstick of the check-in benchmark."""

import gc

from flask import Flask

hello = Flask(__name__)


@hello.route("/hello")
def hi():
    return "hello"


# As the app's entry point does (wsgi.py).
gc.collect()
gc.freeze()
'''

#: Counts the answers by HTTP status in every thread; `done` prints them as "STATUS code n",
#: and how many requests each thread sent (in flight at the end included) as "SENT n".
LUA_COMMON = """
local threads = {}
local thread_count = 0

function setup(thread)
   thread_count = thread_count + 1
   thread:set("thread_id", thread_count)
   table.insert(threads, thread)
end

statuses = {}

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do
         total[status] = (total[status] or 0) + n
      end
   end
   for status, n in pairs(total) do
      io.write(string.format("STATUS %d %d\\n", status, n))
   end
   for _, thread in ipairs(threads) do
      io.write(string.format("SENT %d\\n", thread:get("sent") or 0))
   end
end
"""

#: Arguments: run tag (makes the nonces unique across runs), thread count, first code. The
#: threads take the codes in turn: thread 1 the first, thread 2 the second...
LUA_CHECK_IN = """
local codes = {%(codes)s}
local tag, threads, offset
sent = 0

function init(args)
   tag = args[1]
   threads = tonumber(args[2])
   offset = tonumber(args[3])
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "%(cookie)s"

function request()
   local index = (offset + (thread_id - 1) + sent * threads) %% #codes + 1
   sent = sent + 1
   local body = string.format('{"code": "%%s", "nonce": "%%s-%%d-%%d"}', codes[index], tag, thread_id, sent)
   return wrk.format(nil, "%(path)s", nil, body)
end
"""

LUA_SEARCH = """
local queries = {%(queries)s}
local sent = 0

wrk.headers["Cookie"] = "%(cookie)s"

function request()
   sent = sent + 1
   local index = ((thread_id - 1) * 7919 + sent) %% #queries + 1
   return wrk.format("GET", "%(path)s?q=" .. queries[index])
end
"""

_LATENCY = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def lua_strings(values: list[str]) -> str:
    return ", ".join(json.dumps(value) for value in values)


# --- Data (run in a child process, so that it holds no connection afterwards) ---------------


def prepare(database_url: str, seed: int) -> dict:
    """Schema, étape of today, 5,000 registrations and a paired tablet; returns what wrk needs."""
    from datetime import time as clock
    from datetime import timedelta

    from faker import Faker
    from sqlalchemy import text

    from app import create_app
    from app.candidates.models import Referral, Registration, RegistrationSource
    from app.candidates.services import CandidateDetails, register
    from app.checkin import devices
    from app.events.models import Event, EventStatus, Tour, Venue, today_in_paris
    from app.extensions import db

    environment = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": database_url}
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
    )
    application = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    with application.app_context():
        today = today_in_paris()
        event = Event(
            tour=Tour(slug="banc-d-essai", name="Banc d'essai", year=today.year, min_age=50),
            venue=Venue(
                name="Salle des fêtes",
                address="1 place de la Mairie",
                postcode="59000",
                town="Lille",
                transport="Métro ligne 1",
                accessibility="Plain-pied",
            ),
            date=today,
            starts_at=clock(9),
            ends_at=clock(13),
            capacity=CAPACITY,
            registration_opens_on=today - timedelta(days=30),
            registration_closes_on=today - timedelta(days=1),
            status=EventStatus.PUBLISHED,
        )
        db.session.add(event)
        db.session.commit()
        codes, surnames = [], set()
        for number in range(REGISTRATIONS):
            last_name = fake.last_name()
            registration = register(
                event.id,
                CandidateDetails(
                    last_name=last_name,
                    first_name=fake.first_name(),
                    email=f"personne{number}@exemple.fr",
                    phone=None,
                    birth_year=rng.randint(1946, today.year - 50),
                    postcode=fake.postcode(),
                    referral=rng.choice(list(Referral)),
                    domains=rng.sample("ABCDEFGHIJKLMN", 2),
                ),
                source=RegistrationSource.ONSITE,
                notify=False,
            )
            codes.append(registration.ticket_code)
            surnames.add(last_name)
            if number % 500 == 499:
                db.session.commit()
        db.session.commit()
        _device, secret = devices.add_device(event)
        _device, token = devices.pair(secret)
        db.session.commit()
        # Planner statistics, as a production database has them (autovacuum, on
        # PostgreSQL): without them PostgreSQL loops over the 5,000 rows for a search.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        confirmed = db.session.query(Registration).filter_by(event_id=event.id).count()
        result = {
            "event_id": event.id,
            "token": token,
            "codes": codes,
            "surnames": sorted(surnames),
            "registrations": confirmed,
        }
        db.session.remove()
        db.engine.dispose()
    return result


# --- Servers and load ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    target: str, port: int, cwd: Path, environment: dict, log: Path
) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}"]
    with log.open("w") as output:
        server = subprocess.Popen(
            [*command, target],
            cwd=cwd,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    IGNORED_SESSIONS.add(server.pid)
    return server


def wait_until_answers(url: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {server.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answers on {url} after {timeout} s:\n{log.read_text()}")


def stop(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def processes() -> list[tuple[int, int, int, float]]:
    """(pid, session, owner's uid, CPU seconds used so far, reaped children included) of
    every process."""
    tick = os.sysconf("SC_CLK_TCK")
    found = []
    for folder in Path("/proc").iterdir():
        if not folder.name.isdigit():
            continue
        try:
            fields = (folder / "stat").read_text().rsplit(")", 1)[1].split()
            owner = folder.stat().st_uid
        except OSError:
            continue  # ended meanwhile
        used = sum(int(value) for value in fields[11:15]) / tick
        found.append((int(folder.name), int(fields[3]), owner, used))
    return found


def postgres_uid() -> int | None:
    import pwd

    try:
        return pwd.getpwnam("postgres").pw_uid
    except KeyError:
        return None


def cpu_by_process(ignored_sessions: set[int]) -> dict[int, float]:
    """CPU seconds used so far by each process, except those of `ignored_sessions` and of
    the postgres user (the benchmark's own database server)."""
    database = postgres_uid()
    return {
        pid: used
        for pid, session, owner, used in processes()
        if session not in ignored_sessions and owner != database
    }


def server_cpu(server_session: int | None) -> tuple[float, float]:
    """CPU seconds used so far by the app's gunicorn (its session) and by PostgreSQL."""
    database = postgres_uid()
    app = postgres = 0.0
    for _pid, session, owner, used in processes():
        if session == server_session:
            app += used
        elif owner == database:
            postgres += used
    return app, postgres


def run_wrk(
    url: str,
    script: Path,
    seconds: int,
    *script_arguments: str,
    threads: int = THREADS,
    connections: int = CONNECTIONS,
    server_session: int | None = None,
) -> dict:
    """One wrk run: requests/s, p50 and p99 in ms, answers by status, socket errors, and
    the CPU time the app's server (`server_session`) and PostgreSQL used per request."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    if script_arguments:
        command += ["--", *script_arguments]
    before, servers_before = cpu_by_process(IGNORED_SESSIONS), server_cpu(server_session)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    after, servers_after = cpu_by_process(IGNORED_SESSIONS), server_cpu(server_session)
    others = sum(used - before.get(pid, 0.0) for pid, used in after.items())
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    latencies = {
        percent: float(value) * _UNIT_MS[unit] for percent, value, unit in _LATENCY.findall(output)
    }
    if rate is None or set(latencies) != {"50", "99"}:
        raise SystemExit(f"cannot read wrk's output:\n{output}")
    statuses = {
        int(code): int(count) for code, count in re.findall(r"^STATUS (\d+) (\d+)$", output, re.M)
    }
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    answered = max(sum(statuses.values()), 1)
    app_cpu, database_cpu = (
        (after_ - before_) / answered * 1000
        for before_, after_ in zip(servers_before, servers_after, strict=True)
    )
    return {
        "seconds": seconds,
        "app_cpu_ms": app_cpu if server_session is not None else None,
        "database_cpu_ms": database_cpu,
        "rate": float(rate.group(1)),
        "p50": latencies["50"],
        "p99": latencies["99"],
        "statuses": statuses,
        "other_cpu": max(others, 0.0),
        "sent": [int(n) for n in re.findall(r"^SENT (\d+)$", output, re.M)],
        "socket_errors": dict(
            zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True)
        )
        if errors
        else {},
    }


# --- One database ----------------------------------------------------------------------------


def postgres_available(server_url: str) -> str | None:
    """PostgreSQL's version, or None when nothing answers."""
    import psycopg

    try:
        with psycopg.connect(server_url, connect_timeout=3) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error:
        return None


def postgres_database(server_url: str, create: bool) -> str:
    """(Re)create or drop the throwaway database; returns its SQLAlchemy URL."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
        if create:
            connection.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(
        ("postgresql+psycopg", parts.netloc, f"/{POSTGRES_DATABASE}", "", "")
    )


def stand_in_for_autovacuum(database_url: str) -> bool:
    """VACUUM ANALYZE, on a PostgreSQL server whose autovacuum is off; says whether it ran.

    The check-in tables are empty when the set-up analyses them. Autovacuum analyses them
    again once they have grown a little, and the statements' cached plans are made anew;
    without it, those plans stay the ones of empty tables: a nonce is looked up by
    scanning every attempt, and a check-in costs PostgreSQL 3 ms of CPU instead of 0.8
    (measured on 2026-12-04, with 50,000 attempts). Run after the check-in warm-up."""
    if not database_url.startswith("postgresql"):
        return False
    import psycopg

    url = "postgresql://" + database_url.split("://", 1)[1]
    with psycopg.connect(url, autocommit=True) as connection:
        if connection.execute("SHOW autovacuum").fetchone()[0] == "on":
            return False
        connection.execute("VACUUM ANALYZE")
    return True


def combined(runs: list[dict]) -> dict:
    """Runs of one endpoint as one: requests/s over all of them, the median p50, the worst
    p99 (each round's p99 kept in `p99s`), answers and CPU time per answer over all."""
    answered = [max(sum(run["statuses"].values()), 1) for run in runs]

    def per_answer(key: str) -> float | None:
        if runs[0][key] is None:
            return None
        return sum(run[key] * n for run, n in zip(runs, answered, strict=True)) / sum(answered)

    statuses, socket_errors = {}, {}
    for run in runs:
        for status, n in run["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
        for kind, n in run["socket_errors"].items():
            socket_errors[kind] = socket_errors.get(kind, 0) + n
    return {
        "seconds": sum(run["seconds"] for run in runs),
        "app_cpu_ms": per_answer("app_cpu_ms"),
        "database_cpu_ms": per_answer("database_cpu_ms"),
        "rate": sum(run["rate"] * run["seconds"] for run in runs)
        / sum(run["seconds"] for run in runs),
        "p50": statistics.median(run["p50"] for run in runs),
        "p99": max(run["p99"] for run in runs),
        "p99s": [run["p99"] for run in runs],
        "statuses": statuses,
        "other_cpu": sum(run["other_cpu"] for run in runs),
        "socket_errors": socket_errors,
    }


def bench_database(
    database_url: str,
    hello: tuple[str, int],
    work: Path,
    seconds: int,
    seed: int,
    rounds: int = ROUNDS,
) -> dict:
    """`hello`: the bare app's URL and its server's session."""
    hello_url, hello_session = hello
    started = time.monotonic()
    prepared = subprocess.run(
        [sys.executable, __file__, "--prepare", database_url, "--seed", str(seed)],
        capture_output=True,
        text=True,
        check=False,
    )
    if prepared.returncode != 0:
        raise SystemExit(f"set-up failed on {database_url}:\n{prepared.stderr[-3000:]}")
    data = json.loads(prepared.stdout.splitlines()[-1])
    setup_seconds = time.monotonic() - started
    event_id, cookie = data["event_id"], f"jdt_tablette={data['token']}"
    rng = random.Random(seed)
    codes = data["codes"][:]
    rng.shuffle(codes)
    queries = [urllib.parse.quote(name) for name in data["surnames"]]
    rng.shuffle(queries)
    name = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    check_in_lua = work / f"check_in_{name}.lua"
    check_in_lua.write_text(
        LUA_COMMON
        + LUA_CHECK_IN
        % {
            "codes": lua_strings(codes),
            "cookie": cookie,
            "path": f"/api/v1/events/{event_id}/check-ins",
        }
    )
    search_lua = work / f"search_{name}.lua"
    search_lua.write_text(
        LUA_COMMON
        + LUA_SEARCH
        % {
            "queries": lua_strings(queries),
            "cookie": cookie,
            "path": f"/api/v1/events/{event_id}/search",
        }
    )
    hello_lua = work / "hello.lua"
    hello_lua.write_text(LUA_COMMON)

    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "benchmark-only-secret",
        "RATELIMIT_ENABLED": "false",
    }
    log = work / f"gunicorn_{name}.log"
    server = start_gunicorn("wsgi:app", port, ROOT, environment, log)
    floor_port, floor_log = free_port(), work / f"gunicorn_{name}_floor.log"
    floor = start_gunicorn(
        "benchmarks.checkin_floor:floor", floor_port, ROOT, environment, floor_log
    )
    try:
        base = f"http://127.0.0.1:{port}"
        floor_base = f"http://127.0.0.1:{floor_port}"
        wait_until_answers(f"{base}/api/v1/openapi.json", server, log)
        wait_until_answers(f"{floor_base}/", floor, floor_log)
        tag = f"b{int(time.time())}{name[:2]}"
        scanned, runs = 0, 0

        def check_in(
            seconds: int,
            threads: int = THREADS,
            connections: int = CONNECTIONS,
            base: str = base,
            session: int = server.pid,
        ):
            nonlocal scanned, runs
            runs += 1
            result = run_wrk(
                base + "/",
                check_in_lua,
                seconds,
                f"{tag}r{runs}",
                str(threads),
                str(scanned),
                threads=threads,
                connections=connections,
                server_session=session,
            )
            # The next run starts after the last code sent (answered or in flight).
            scanned += max(result["sent"]) * threads
            return result

        endpoints = {
            "hello": lambda seconds, **load: run_wrk(
                hello_url, hello_lua, seconds, server_session=hello_session, **load
            ),
            "check-in": check_in,
            "check-in floor": lambda seconds, **load: check_in(
                seconds, base=floor_base, session=floor.pid, **load
            ),
            "search": lambda seconds, **load: run_wrk(
                base + "/", search_lua, seconds, server_session=server.pid, **load
            ),
        }
        analysed = False
        for endpoint, run in endpoints.items():
            run(WARM_UP_SECONDS)
            if endpoint == "check-in":
                analysed = stand_in_for_autovacuum(database_url)
        # The endpoints take turns, `rounds` times: a slow spell of a shared machine then
        # falls on all of them, instead of on the one that was running.
        by_round = {endpoint: [] for endpoint in endpoints}
        for _round in range(rounds):
            for endpoint, run in endpoints.items():
                by_round[endpoint].append(run(max(seconds // rounds, 1)))
        results = {endpoint: combined(runs) for endpoint, runs in by_round.items()}
        alone = {}
        for endpoint, run in endpoints.items():
            alone[endpoint] = run(ALONE_SECONDS, threads=1, connections=1)
    finally:
        stop(server)
        stop(floor)
    return {
        "results": results,
        "alone": alone,
        "registrations": data["registrations"],
        "surnames": len(data["surnames"]),
        "setup_seconds": setup_seconds,
        "analysed": analysed,
    }


# --- Report ----------------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    uname = subprocess.run(["uname", "-a"], capture_output=True, text=True).stdout.strip()
    import gunicorn

    return [
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"`uname -a`: {uname}",
        f"`nproc`: {len(os.sched_getaffinity(0))} · CPU: {cpu} · RAM: {memory}",
        f"Python {platform.python_version()} · gunicorn {gunicorn.__version__} ({WORKERS} sync workers)"
        f" · {' '.join(wrk_version[:2])} · SQLite {sqlite3.sqlite_version}",
    ]


def non_2xx(result: dict) -> int:
    return sum(n for status, n in result["statuses"].items() if not 200 <= status < 300)


def print_table(name: str, bench: dict) -> None:
    results = bench["results"]
    hello = results["hello"]["rate"]
    print(
        f"### {name}: {bench['registrations']} registrations at the étape "
        f"({bench['surnames']} distinct surnames), set up in {bench['setup_seconds']:.0f} s"
    )
    print()
    print(
        "| endpoint | requests/s | p50 ms | p99 ms (worst round) | p99 ms by round | non-2xx "
        "| ratio to hello | CPU ms per request: app, PostgreSQL | answers |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for endpoint, result in results.items():
        total = sum(result["statuses"].values())
        answers = ", ".join(f"{s}: {n}" for s, n in sorted(result["statuses"].items()))
        errors = {k: v for k, v in result["socket_errors"].items() if v}
        if errors:
            answers += "; socket errors " + ", ".join(f"{k} {v}" for k, v in errors.items())
        print(
            f"| {endpoint} | {result['rate']:.0f} | {result['p50']:.1f} | {result['p99']:.1f} "
            f"| {', '.join(f'{p99:.1f}' for p99 in result['p99s'])} "
            f"| {non_2xx(result)} of {total} ({non_2xx(result) / max(total, 1):.1%}) "
            f"| {result['rate'] / hello:.2f} "
            f"| {result['app_cpu_ms']:.2f}, {result['database_cpu_ms']:.2f} | {answers} |"
        )
    print()
    alone = ", ".join(
        f"{endpoint} {result['rate']:.0f} requests/s, p50 {result['p50']:.1f} ms, "
        f"p99 {result['p99']:.1f} ms"
        for endpoint, result in bench["alone"].items()
    )
    print(f"One connection at a time (1 thread, {ALONE_SECONDS} s, no queueing): {alone}.")
    print()
    check_in, floor = results["check-in"], results["check-in floor"]
    print(
        f"The app's check-in does {check_in['rate'] / floor['rate']:.0%} of the floor's "
        f"throughput, for {check_in['app_cpu_ms'] - floor['app_cpu_ms']:.2f} ms of CPU more "
        "per answer in its gunicorn."
    )
    print()
    if bench["analysed"]:
        print(
            "This PostgreSQL server's autovacuum is off: the benchmark ran VACUUM ANALYZE "
            "after the check-in warm-up, as autovacuum would have."
        )
        print()
    others = sum(result["other_cpu"] for result in results.values())
    available = len(os.sched_getaffinity(0)) * sum(result["seconds"] for result in results.values())
    print(
        f"Other processes on the machine (not the benchmark, its servers or PostgreSQL) used "
        f"{others:.1f} CPU-seconds during the runs under load "
        f"({others / available:.0%} of the CPU time there was); 1-minute load average after "
        f"them: {Path('/proc/loadavg').read_text().split()[0]}."
    )
    print()
    search = results["search"]
    share = check_in["rate"] / hello

    def verdict(ok: bool) -> str:
        return "**met**" if ok else "**missed**"

    print("Against the targets:")
    print(
        f"- check-in throughput {share:.0%} of hello ({check_in['rate']:.0f} / {hello:.0f} requests/s): "
        f"{verdict(share >= CHECK_IN_SHARE_OF_HELLO)} (target: at least {CHECK_IN_SHARE_OF_HELLO:.0%})"
    )
    print(
        f"- check-in p99 {check_in['p99']:.1f} ms (worst round): {verdict(check_in['p99'] < P99_TARGET_MS)} "
        f"(target: under {P99_TARGET_MS:.0f} ms)"
    )
    print(
        f"- search by name p99 {search['p99']:.1f} ms (worst round) with "
        f"{bench['registrations']} registrations: "
        f"{verdict(search['p99'] < P99_TARGET_MS)} (target: under {P99_TARGET_MS:.0f} ms)"
    )
    print(flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--duration", type=int, default=15, help="seconds under load per endpoint, all rounds"
    )
    parser.add_argument(
        "--rounds", type=int, default=ROUNDS, help="turns the endpoints take under load"
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server where the benchmark may create its database",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.prepare:
        print(json.dumps(prepare(arguments.prepare, arguments.seed)))
        return
    if shutil.which("wrk") is None:
        raise SystemExit(
            "wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu, as root), "
            "`brew install wrk` (macOS), or build it from https://github.com/wg/wrk"
        )
    databases = arguments.databases.split(",")
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown databases: {', '.join(sorted(unknown))}")

    lines = machine()
    postgres_version = None
    if "postgresql" in databases:
        postgres_version = postgres_available(arguments.postgres_url)
        if postgres_version is None:
            print(f"PostgreSQL: nothing answers on {arguments.postgres_url}; SQLite only.")
            databases.remove("postgresql")
        else:
            lines[-1] += f" · PostgreSQL {postgres_version}"
    for line in lines:
        print(f"{line}  ")
    print(
        f"wrk: {THREADS} threads, {CONNECTIONS} connections, {arguments.duration} s per endpoint "
        f"in {arguments.rounds} rounds (the endpoints take turns) after a {WARM_UP_SECONDS} s "
        "warm-up; p99 is the worst round's; all on 127.0.0.1, load generator and servers on "
        "the same machine."
    )
    print()

    with tempfile.TemporaryDirectory(prefix="bench-checkin-") as folder:
        work = Path(folder)
        (work / "hello_app.py").write_text(HELLO_APP)
        hello_port = free_port()
        hello_log = work / "gunicorn_hello.log"
        hello_server = start_gunicorn(
            "hello_app:hello", hello_port, work, dict(os.environ), hello_log
        )
        try:
            hello_url = f"http://127.0.0.1:{hello_port}/hello"
            wait_until_answers(hello_url, hello_server, hello_log)
            hello = (hello_url, hello_server.pid)
            for database in databases:
                if database == "sqlite":
                    url = f"sqlite:///{work / 'bench.sqlite3'}"
                    bench = bench_database(
                        url, hello, work, arguments.duration, arguments.seed, arguments.rounds
                    )
                    print_table("SQLite", bench)
                    continue
                url = postgres_database(arguments.postgres_url, create=True)
                try:
                    bench = bench_database(
                        url, hello, work, arguments.duration, arguments.seed, arguments.rounds
                    )
                    print_table("PostgreSQL", bench)
                finally:
                    postgres_database(arguments.postgres_url, create=False)
        finally:
            stop(hello_server)


if __name__ == "__main__":
    main()
