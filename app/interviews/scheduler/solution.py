"""A schedule as the solution JSON of the spec: its figures, and the check of every rule."""

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass

from app.interviews.scheduler.instance import Instance, rank_weight


@dataclass(frozen=True, order=True)
class Interview:
    slot: int
    employer: str
    table: int
    candidate: str


def candidate_wait_minutes(instance: Instance, interviews: list[Interview]) -> int:
    """Idle minutes between each candidate's first and last interview, summed."""
    slots = defaultdict(list)
    for interview in interviews:
        slots[interview.candidate].append(interview.slot)
    idle = sum(max(s) - min(s) + 1 - len(s) for s in slots.values())
    return idle * instance.slot_minutes


def coverage(instance: Instance, interviews: list[Interview]) -> list[int]:
    """How many candidates have at least 1, 2, 3… interviews (the leximin key)."""
    counts = Counter(interview.candidate for interview in interviews)
    top = max([0, *(c.max_interviews for c in instance.candidates.values())])
    return [sum(1 for n in counts.values() if n >= k) for k in range(1, top + 1)]


def weighted_score(instance: Instance, interviews: list[Interview]) -> int:
    total = 0
    for interview in interviews:
        rank = instance.candidates[interview.candidate].wishes.get(interview.employer)
        if rank is not None:
            total += rank_weight(rank)
    return total


def objective(instance: Instance, interviews: list[Interview]) -> tuple:
    """The spec's order of what is best, as a tuple to compare (larger is better)."""
    return (
        *coverage(instance, interviews),
        weighted_score(instance, interviews),
        -candidate_wait_minutes(instance, interviews),
    )


def to_json(
    instance: Instance,
    interviews: list[Interview],
    *,
    upper_bound: int,
    method: str,
    optimal: bool,
    seconds: float,
) -> dict:
    interviews = sorted(interviews)
    counts = Counter(interview.candidate for interview in interviews)
    with_wishes = [c for c in instance.candidates.values() if c.wishes]
    feasible = {candidate for candidate, _employer, _rank in instance.wish_pairs()}
    histogram = Counter(counts.get(c.id, 0) for c in instance.candidates.values())
    top = max([0, *histogram])
    scheduled = len(interviews)
    return {
        "interviews": [
            {
                "candidate": interview.candidate,
                "employer": interview.employer,
                "table": interview.table,
                "slot": instance.slots[interview.slot],
            }
            for interview in interviews
        ],
        "stats": {
            "wishes": sum(len(c.wishes) for c in instance.candidates.values()),
            "scheduled": scheduled,
            "upper_bound": upper_bound,
            "ratio": round(scheduled / upper_bound, 4) if upper_bound else 1.0,
            "candidates_with_wishes": len(with_wishes),
            "candidates_without_interview": sum(1 for c in with_wishes if not counts.get(c.id)),
            "candidates_without_interview_feasible": sum(
                1 for c in with_wishes if c.id in feasible and not counts.get(c.id)
            ),
            "interview_count_histogram": {str(k): histogram.get(k, 0) for k in range(top + 1)},
            "weighted_score": weighted_score(instance, interviews),
            "candidate_wait_minutes": candidate_wait_minutes(instance, interviews),
            "method": method,
            "optimal": optimal,
            "seconds": round(seconds, 3),
        },
    }


def check(instance: Instance, solution: dict) -> list[str]:
    """Every rule the solution breaks, one sentence each; [] when it is valid."""
    problems: list[str] = []
    items = solution.get("interviews") if isinstance(solution, dict) else None
    if not isinstance(items, list):
        return ["La solution doit contenir la liste « interviews »."]
    interviews: list[Interview] = []
    for index, item in enumerate(items):
        name = f"Entretien n° {index + 1}"
        if not isinstance(item, dict):
            problems.append(f"{name} : un objet est attendu.")
            continue
        candidate = instance.candidates.get(item.get("candidate"))
        employer = instance.employers.get(item.get("employer"))
        if candidate is None or employer is None:
            problems.append(f"{name} : candidat ou employeur inconnu.")
            continue
        if item.get("slot") not in instance.slots:
            problems.append(f"{name} : le créneau {item.get('slot')!r} n'est pas dans la grille.")
            continue
        slot = instance.slot_index(item["slot"])
        table = item.get("table")
        if not isinstance(table, int) or not 1 <= table <= employer.tables:
            problems.append(f"{name} : {employer.id} n'a pas de table {table!r}.")
            continue
        name = f"{name} ({candidate.id} avec {employer.id}, table {table}, {item['slot']})"
        interviews.append(Interview(slot, employer.id, table, candidate.id))
        if not (employer.first <= slot <= employer.last):
            problems.append(f"{name} : en dehors des horaires de l'employeur.")
        if not (candidate.first <= slot <= candidate.last):
            problems.append(f"{name} : en dehors des disponibilités du candidat.")
        if candidate.id in employer.vetoes:
            problems.append(f"{name} : l'employeur a refusé ce candidat.")
    fixed = {(f.candidate, f.employer, f.table, f.slot) for f in instance.fixed}
    given = {(i.candidate, i.employer, i.table, i.slot) for i in interviews}
    for f in instance.fixed:
        if (f.candidate, f.employer, f.table, f.slot) not in given:
            problems.append(
                f"L'entretien fixé de {f.candidate} avec {f.employer} (table {f.table}, "
                f"{instance.slots[f.slot]}) a disparu ou a bougé."
            )
    for interview in interviews:
        key = (interview.candidate, interview.employer, interview.table, interview.slot)
        wished = interview.employer in instance.candidates[interview.candidate].wishes
        if key not in fixed and not wished:
            problems.append(
                f"{interview.candidate} n'a pas demandé à rencontrer {interview.employer}."
            )
    for (employer, table, slot), n in Counter(
        (i.employer, i.table, i.slot) for i in interviews
    ).items():
        if n > 1:
            problems.append(
                f"La table {table} de {employer} a {n} entretiens à {instance.slots[slot]}."
            )
    for (candidate, employer), n in Counter((i.candidate, i.employer) for i in interviews).items():
        if n > 1:
            problems.append(f"{candidate} rencontre {employer} {n} fois.")
    by_candidate = defaultdict(list)
    for interview in interviews:
        by_candidate[interview.candidate].append(interview.slot)
    for candidate_id, slots in by_candidate.items():
        slots.sort()
        for before, after in itertools.pairwise(slots):
            if after - before <= instance.gap_slots:
                problems.append(
                    f"{candidate_id} a deux entretiens trop proches : {instance.slots[before]} "
                    f"et {instance.slots[after]} (il faut {instance.gap_slots} créneau(x) libre(s) entre)."
                )
        cap = instance.candidates[candidate_id].max_interviews
        if len(slots) > cap:
            problems.append(f"{candidate_id} a {len(slots)} entretiens, pour {cap} au plus.")
    for employer_id, n in Counter(i.employer for i in interviews).items():
        cap = instance.employers[employer_id].max_interviews
        if cap is not None and n > cap:
            problems.append(f"{employer_id} a {n} entretiens, pour {cap} au plus.")
    return problems


def from_json(instance: Instance, solution: dict) -> list[Interview]:
    """The interviews of a valid solution (see `check`)."""
    return [
        Interview(instance.slot_index(i["slot"]), i["employer"], i["table"], i["candidate"])
        for i in solution["interviews"]
    ]
