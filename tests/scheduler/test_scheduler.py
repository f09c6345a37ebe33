"""The standalone scheduler: rules checked on random instances (hypothesis), the known
answers of small cases, what `check` catches, invalid instances and the CLI."""

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.interviews.scheduler import (
    InstanceError,
    baseline,
    check,
    methods,
    parse_instance,
    solve,
    upper_bound,
)
from app.interviews.scheduler.solution import (
    candidate_wait_minutes,
    coverage,
    from_json,
    objective,
    to_json,
)

ROOT = Path(__file__).resolve().parents[2]
SLOTS = ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30", "10:45"]


@st.composite
def instances(draw, simple: bool = False):
    """Random small instances; `simple` ones have no windows, gaps, caps or fixed ones."""
    slot_count = draw(st.integers(2, 8))
    slots = SLOTS[:slot_count]
    employer_count = draw(st.integers(1, 4))
    candidate_count = draw(st.integers(1, 12))

    def window():
        first = draw(st.integers(0, slot_count - 1))
        last = draw(st.integers(first, slot_count - 1))
        return [slots[first], slots[last]]

    employers = []
    for i in range(employer_count):
        employer = {"id": f"E{i}", "tables": draw(st.integers(1, 2))}
        if not simple:
            if draw(st.booleans()):
                employer["available"] = window()
            if draw(st.integers(0, 4)) == 0:
                employer["max_interviews"] = draw(st.integers(0, 5))
        employers.append(employer)
    candidates = []
    for i in range(candidate_count):
        wished = draw(st.lists(st.integers(0, employer_count - 1), unique=True, max_size=4))
        candidate = {
            "id": f"C{i}",
            "wishes": [{"employer": f"E{e}", "rank": r + 1} for r, e in enumerate(wished)],
        }
        if not simple:
            if draw(st.booleans()):
                candidate["available"] = window()
            candidate["max_interviews"] = draw(st.integers(1, 3))
        candidates.append(candidate)
    if not simple:
        for employer in employers:
            employer["vetoes"] = [c["id"] for c in candidates if draw(st.integers(0, 9)) == 0]
    data = {
        "slot_minutes": 15,
        "slots": slots,
        "gap_slots": 0 if simple else draw(st.integers(0, 1)),
        "default_max_interviews": 3,
        "employers": employers,
        "candidates": candidates,
        "fixed": [],
    }
    if not simple and draw(st.booleans()):
        # Fixed interviews: taken from a greedy schedule, so that they are consistent.
        greedy = solve(parse_instance(data), method="greedy")["interviews"]
        data["fixed"] = (
            draw(st.lists(st.sampled_from(greedy), unique_by=lambda i: i["candidate"], max_size=3))
            if greedy
            else []
        )
    return data


PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.slow
@PROPERTY
@given(instances())
def test_every_method_gives_a_valid_schedule_within_the_bound(data):
    instance = parse_instance(data)
    bound = upper_bound(instance)
    for method in ("greedy", "cpsat", "auto"):
        solution = solve(instance, method=method, time_limit=2)
        assert check(instance, solution) == [], method
        assert solution["stats"]["scheduled"] <= bound
        assert solution["stats"]["upper_bound"] == bound
    assert check(instance, baseline(instance)) == []


@pytest.mark.slow
@PROPERTY
@given(instances(simple=True))
def test_without_windows_gaps_or_caps_the_exact_method_reaches_the_bound(data):
    instance = parse_instance(data)
    solution = solve(instance, method="exact")
    assert check(instance, solution) == []
    assert solution["stats"]["scheduled"] == upper_bound(instance)
    assert solution["stats"]["optimal"] is True
    # and its coverage is the best: CP-SAT cannot give more candidates more interviews.
    other = solve(instance, method="cpsat", time_limit=2)
    interviews, others = from_json(instance, solution), from_json(instance, other)
    assert coverage(instance, interviews) >= coverage(instance, others)
    # and CP-SAT claims optimality only when it has it.
    if other["stats"]["optimal"]:
        assert coverage(instance, interviews) == coverage(instance, others)
        assert solution["stats"]["weighted_score"] == other["stats"]["weighted_score"]


@pytest.mark.slow
@PROPERTY
@given(instances())
def test_cpsat_is_never_worse_than_greedy_and_a_seed_gives_one_schedule(data):
    instance = parse_instance(data)
    greedy = solve(instance, method="greedy", seed=3)
    first = solve(instance, method="cpsat", seed=3, time_limit=2)
    again = solve(instance, method="cpsat", seed=3, time_limit=2)
    assert objective(instance, from_json(instance, first)) >= objective(
        instance, from_json(instance, greedy)
    )
    assert first["interviews"] == again["interviews"]
    assert solve(instance, method="greedy", seed=3)["interviews"] == greedy["interviews"]


@given(instances())
def test_less_waiting_keeps_who_meets_whom_and_never_waits_more(data):
    instance = parse_instance(data)
    for start in (methods.baseline(instance), methods.greedy(instance, seed=1)):
        shorter = methods.compact(instance, start)
        solution = to_json(instance, shorter, upper_bound=0, method="t", optimal=False, seconds=0)
        assert check(instance, solution) == []
        assert sorted((i.candidate, i.employer) for i in shorter) == sorted(
            (i.candidate, i.employer) for i in start
        )
        assert candidate_wait_minutes(instance, shorter) <= candidate_wait_minutes(instance, start)


def test_two_candidates_exchange_their_slots_when_both_wait_less():
    # E's only table is full at 9:00, 9:15 and 9:30. A waits 30 minutes between E at 9:00
    # and her fixed F at 9:45; B has her fixed G at 9:15, then E at 9:30. No interview can
    # move alone; A and B exchanging their slots at E leaves nobody waiting.
    data = small(
        slots=["09:00", "09:15", "09:30", "09:45"],
        employers=[
            {"id": "E", "tables": 1, "available": ["09:00", "09:30"]},
            {"id": "F", "tables": 1},
            {"id": "G", "tables": 1},
        ],
        candidates=[
            {"id": "A", "wishes": [{"employer": "E", "rank": 1}]},
            {"id": "B", "wishes": [{"employer": "E", "rank": 1}]},
            {"id": "C", "wishes": [{"employer": "E", "rank": 1}]},
        ],
        fixed=[
            {"candidate": "A", "employer": "F", "table": 1, "slot": "09:45"},
            {"candidate": "B", "employer": "G", "table": 1, "slot": "09:15"},
            {"candidate": "C", "employer": "E", "table": 1, "slot": "09:15"},
        ],
    )
    instance = parse_instance(data)
    waiting = [
        methods.Interview(0, "E", 1, "A"),
        methods.Interview(2, "E", 1, "B"),
        *methods.Board(instance).fixed,
    ]
    assert candidate_wait_minutes(instance, waiting) == 30
    shorter = methods.compact(instance, waiting)
    assert candidate_wait_minutes(instance, shorter) == 0
    assert methods.Interview(2, "E", 1, "A") in shorter
    assert methods.Interview(0, "E", 1, "B") in shorter
    # CP-SAT's last criterion is the waiting: started from the waiting schedule, it ends
    # with none.
    found, _optimal = methods.cpsat(instance, waiting, time_limit=2, seed=0)
    assert candidate_wait_minutes(instance, found) == 0


def small(**overrides) -> dict:
    data = {
        "slots": ["09:00", "09:15"],
        "employers": [{"id": "E", "tables": 1}],
        "candidates": [
            {"id": "A", "wishes": [{"employer": "E", "rank": 1}]},
            {"id": "B", "wishes": [{"employer": "E", "rank": 1}]},
        ],
    }
    data.update(overrides)
    return data


def test_two_candidates_for_one_table_both_get_their_interview():
    instance = parse_instance(small())
    for method in ("exact", "greedy", "cpsat"):
        solution = solve(instance, method=method)
        assert {i["candidate"] for i in solution["interviews"]} == {"A", "B"}, method
        assert solution["stats"]["interview_count_histogram"] == {"0": 0, "1": 2}


def test_leximin_gives_everyone_one_before_anyone_two():
    # A wants E1 and E2, B only E1; one table each, one slot: B must get E1, A gets E2.
    data = {
        "slots": ["09:00"],
        "employers": [{"id": "E1", "tables": 1}, {"id": "E2", "tables": 1}],
        "candidates": [
            {"id": "A", "wishes": [{"employer": "E1", "rank": 1}, {"employer": "E2", "rank": 2}]},
            {"id": "B", "wishes": [{"employer": "E1", "rank": 1}]},
        ],
    }
    instance = parse_instance(data)
    for method in ("exact", "greedy", "cpsat"):
        met = {
            (i["candidate"], i["employer"]) for i in solve(instance, method=method)["interviews"]
        }
        assert met == {("B", "E1"), ("A", "E2")}, method


def test_vetoes_gaps_and_fixed_interviews_are_respected():
    data = small(
        slots=["09:00", "09:15", "09:30"],
        gap_slots=1,
        employers=[{"id": "E", "tables": 1, "vetoes": ["B"]}, {"id": "F", "tables": 1}],
        candidates=[
            {"id": "A", "wishes": [{"employer": "E", "rank": 1}, {"employer": "F", "rank": 2}]},
            {"id": "B", "wishes": [{"employer": "E", "rank": 1}]},
        ],
        fixed=[{"candidate": "A", "employer": "F", "table": 1, "slot": "09:15"}],
    )
    instance = parse_instance(data)
    for method in ("greedy", "cpsat", "auto"):
        solution = solve(instance, method=method)
        assert check(instance, solution) == []
        # B is vetoed; A's fixed 9:15 leaves no room for E with a one-slot gap.
        assert solution["interviews"] == data["fixed"], method
    assert upper_bound(instance) == 2  # the fixed one, and A with E (time aside)
    with pytest.raises(InstanceError) as caught:
        solve(instance, method="exact")
    assert caught.value.code == "exact_not_applicable"


def test_the_baseline_serves_the_first_come():
    instance = parse_instance(small(slots=["09:00"]))
    assert [i["candidate"] for i in baseline(instance)["interviews"]] == ["A"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda s: s.append({**s[0], "candidate": "B"}), "a 2 entretiens à 09:00"),
        (lambda s: s.append({**s[0], "slot": "09:15"}), "rencontre E 2 fois"),
        (lambda s: s.__setitem__(0, {**s[0], "slot": "11:00"}), "n'est pas dans la grille"),
        (lambda s: s.__setitem__(0, {**s[0], "table": 2}), "n'a pas de table 2"),
        (lambda s: s.__setitem__(0, {**s[0], "candidate": "Z"}), "candidat ou employeur inconnu"),
        (
            lambda s: s.__setitem__(0, {**s[0], "candidate": "B", "employer": "F"}),
            "n'a pas demandé à rencontrer F",
        ),
        (lambda s: s.__setitem__(0, {**s[0], "candidate": "V"}), "l'employeur a refusé"),
        (lambda s: s.__setitem__(0, {**s[0], "slot": "09:30"}), "en dehors des horaires"),
        (
            lambda s: s.append({"candidate": "A", "employer": "F", "table": 1, "slot": "09:15"}),
            "trop proches",
        ),
        (lambda s: s.clear(), "a disparu ou a bougé"),
    ],
)
def test_check_names_each_broken_rule(change, problem):
    data = {
        "slots": ["09:00", "09:15", "09:30"],
        "gap_slots": 1,
        "employers": [
            {"id": "E", "tables": 1, "available": ["09:00", "09:15"], "vetoes": ["V"]},
            {"id": "F", "tables": 1, "max_interviews": 1},
        ],
        "candidates": [
            {
                "id": "A",
                "max_interviews": 1,
                "wishes": [{"employer": "E", "rank": 1}, {"employer": "F", "rank": 2}],
            },
            {"id": "B", "wishes": [{"employer": "E", "rank": 1}]},
            {"id": "V", "wishes": [{"employer": "E", "rank": 1}, {"employer": "F", "rank": 1}]},
        ],
        "fixed": [{"candidate": "A", "employer": "E", "table": 1, "slot": "09:00"}],
    }
    instance = parse_instance(data)
    interviews = [dict(data["fixed"][0])]
    assert check(instance, {"interviews": interviews}) == []
    change(interviews)
    problems = check(instance, {"interviews": interviews})
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    ("change", "code", "entry"),
    [
        ({"slots": []}, "invalid_format", None),
        (
            {"candidates": [{"id": "A", "wishes": [{"employer": "X"}]}]},
            "unknown_employer",
            "candidates[A]",
        ),
        ({"employers": [{"id": "E"}, {"id": "E"}]}, "duplicate_id", "employers[E]"),
        (
            {"employers": [{"id": "E", "available": ["08:00", "09:00"]}]},
            "unknown_slot",
            "employers[E]",
        ),
        ({"employers": [{"id": "E", "vetoes": ["Q"]}]}, "unknown_candidate", "employers[E]"),
        (
            {"fixed": [{"candidate": "A", "employer": "E", "table": 2, "slot": "09:00"}]},
            "table_out_of_range",
            "fixed[0]",
        ),
        (
            {"fixed": [{"candidate": "Q", "employer": "E", "table": 1, "slot": "09:00"}]},
            "unknown_candidate",
            "fixed[0]",
        ),
        (
            {"fixed": [{"candidate": "A", "employer": "E", "table": 1, "slot": "12:00"}]},
            "unknown_slot",
            "fixed[0]",
        ),
        (
            {
                "fixed": [
                    {"candidate": "A", "employer": "E", "table": 1, "slot": "09:00"},
                    {"candidate": "B", "employer": "E", "table": 1, "slot": "09:00"},
                ]
            },
            "fixed_clash",
            "fixed[1]",
        ),
        (
            {
                "candidates": [{"id": "A", "available": ["09:15", "09:15"]}, {"id": "B"}],
                "fixed": [{"candidate": "A", "employer": "E", "table": 1, "slot": "09:00"}],
            },
            "fixed_outside_window",
            "fixed[0]",
        ),
        (
            {
                "employers": [{"id": "E", "vetoes": ["A"]}],
                "fixed": [{"candidate": "A", "employer": "E", "table": 1, "slot": "09:00"}],
            },
            "fixed_vetoed",
            "fixed[0]",
        ),
        (
            {
                "candidates": [{"id": "A", "max_interviews": 0}, {"id": "B"}],
                "fixed": [{"candidate": "A", "employer": "E", "table": 1, "slot": "09:00"}],
            },
            "fixed_over_cap",
            "fixed[0]",
        ),
    ],
)
def test_invalid_instances_name_the_entry(change, code, entry):
    with pytest.raises(InstanceError) as caught:
        parse_instance(small(**change))
    assert (caught.value.code, caught.value.entry) == (code, entry)
    assert caught.value.message


def run_cli(*arguments) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.interviews.scheduler", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_line_solves_checks_and_bounds(tmp_path):
    instance_file = tmp_path / "instance.json"
    instance_file.write_text(json.dumps(small()))
    solved = run_cli("solve", str(instance_file), "--method", "greedy")
    assert solved.returncode == 0, solved.stderr
    solution = json.loads(solved.stdout)
    assert solution["stats"]["scheduled"] == 2
    solution_file = tmp_path / "solution.json"
    solution_file.write_text(solved.stdout)
    checked = run_cli("check", str(instance_file), str(solution_file))
    assert (checked.returncode, checked.stdout.strip()) == (0, "OK")
    solution["interviews"][1]["slot"] = solution["interviews"][0]["slot"]
    solution_file.write_text(json.dumps(solution))
    broken = run_cli("check", str(instance_file), str(solution_file))
    assert broken.returncode == 1 and "entretiens à" in broken.stdout
    bound = run_cli("bound", str(instance_file))
    assert (bound.returncode, bound.stdout.strip()) == (0, "2")


def test_the_command_line_refuses_bad_input_with_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(small(fixed=[{"candidate": "A", "employer": "E", "table": 3, "slot": "09:00"}]))
    )
    result = run_cli("solve", str(bad))
    assert result.returncode == 2
    assert "Entretien fixé n° 1" in result.stderr and "Traceback" not in result.stderr
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    for arguments in (("bound", str(garbage)), ("solve", str(tmp_path / "missing.json"))):
        result = run_cli(*arguments)
        assert result.returncode == 2 and "Traceback" not in result.stderr
    simple = tmp_path / "windows.json"
    simple.write_text(json.dumps(small(gap_slots=1)))
    result = run_cli("solve", str(simple), "--method", "exact")
    assert result.returncode == 2 and "ne s'applique pas" in result.stderr


def crowded(candidates: int = 60, employers: int = 8) -> dict:
    """A day where popular employers are wanted by far more candidates than they can see."""
    rng = random.Random(1)
    slots = [f"{9 + q // 4:02d}:{q % 4 * 15:02d}" for q in range(12)]
    return {
        "slots": slots,
        "gap_slots": 1,
        "employers": [{"id": f"E{e}", "tables": 1 + e % 2} for e in range(employers)],
        "candidates": [
            {
                "id": f"C{c}",
                "available": [slots[start], slots[start + 7]],
                "wishes": [
                    {"employer": f"E{e}", "rank": rank + 1}
                    for rank, e in enumerate(rng.sample(range(employers), 4))
                ],
            }
            for c in range(candidates)
            for start in [rng.randrange(5)]
        ],
    }


def test_cpsat_out_of_time_keeps_its_start_and_claims_nothing():
    instance = parse_instance(crowded())
    start = methods.greedy(instance)
    found, optimal = methods.cpsat(instance, start, time_limit=0.2, seed=0)
    assert optimal is False
    solution = to_json(instance, found, upper_bound=0, method="cpsat", optimal=False, seconds=0)
    assert check(instance, solution) == []
    assert objective(instance, found)[:-1] >= objective(instance, start)[:-1]
