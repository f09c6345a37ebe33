"""The methods: the bound, the first-come-first-served baseline, greedy with repairs, the
exact flow + edge colouring, and CP-SAT. Each is deterministic for a given seed.

OR-Tools is imported inside the functions that use it (it costs 0.4 s and pulls numpy).
"""

import math
import random
import time
from collections import defaultdict

from app.interviews.scheduler.instance import MAX_RANK_WEIGHT, Instance, rank_weight
from app.interviews.scheduler.solution import Interview, objective


class Board:
    """Who is where, for the methods that place interviews one at a time."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.used_tables: dict[tuple[str, int], set[int]] = defaultdict(set)
        self.at: dict[tuple[str, int, int], Interview] = {}
        self.busy: dict[str, dict[int, Interview]] = defaultdict(dict)
        self.employer_count: dict[str, int] = defaultdict(int)
        self.met: set[tuple[str, str]] = set()
        self.fixed: set[Interview] = set()
        for f in instance.fixed:
            interview = Interview(f.slot, f.employer, f.table, f.candidate)
            self.fixed.add(interview)
            self.add(interview)

    def add(self, interview: Interview) -> None:
        self.at[interview.employer, interview.slot, interview.table] = interview
        self.used_tables[interview.employer, interview.slot].add(interview.table)
        self.busy[interview.candidate][interview.slot] = interview
        self.employer_count[interview.employer] += 1
        self.met.add((interview.candidate, interview.employer))

    def remove(self, interview: Interview) -> None:
        del self.at[interview.employer, interview.slot, interview.table]
        self.used_tables[interview.employer, interview.slot].discard(interview.table)
        del self.busy[interview.candidate][interview.slot]
        self.employer_count[interview.employer] -= 1
        self.met.discard((interview.candidate, interview.employer))

    def count(self, candidate: str) -> int:
        return len(self.busy[candidate])

    def free_table(self, employer: str, slot: int) -> int | None:
        used = self.used_tables[employer, slot]
        for table in range(1, self.instance.employers[employer].tables + 1):
            if table not in used:
                return table
        return None

    def candidate_free(self, candidate: str, slot: int, ignore: int | None = None) -> bool:
        gap = self.instance.gap_slots
        return all(abs(s - slot) > gap for s in self.busy[candidate] if s != ignore)

    def can_meet(self, candidate: str, employer: str) -> bool:
        c = self.instance.candidates[candidate]
        e = self.instance.employers[employer]
        return (
            (candidate, employer) not in self.met
            and candidate not in e.vetoes
            and self.count(candidate) < c.max_interviews
            and (e.max_interviews is None or self.employer_count[employer] < e.max_interviews)
        )

    def wait_increase(self, candidate: str, slot: int) -> int:
        slots = list(self.busy[candidate])
        if not slots:
            return 0
        low, high = min(slots), max(slots)
        return max(0, low - slot - 1 - self.instance.gap_slots) + max(
            0, slot - high - 1 - self.instance.gap_slots
        )

    def place(self, candidate: str, employer: str, earliest: bool = False) -> Interview | None:
        """Put the interview in the best free slot (least added waiting, then earliest)."""
        if not self.can_meet(candidate, employer):
            return None
        best = None
        for slot in self.instance.common_slots(candidate, employer):
            if not self.candidate_free(candidate, slot):
                continue
            table = self.free_table(employer, slot)
            if table is None:
                continue
            key = (0 if earliest else self.wait_increase(candidate, slot), slot)
            if best is None or key < best[0]:
                best = (key, slot, table)
                if earliest:
                    break
        if best is None:
            return None
        interview = Interview(best[1], employer, best[2], candidate)
        self.add(interview)
        return interview

    def interviews(self) -> list[Interview]:
        return sorted(i for slots in self.busy.values() for i in slots.values())


# --- Bound -------------------------------------------------------------------------------


def upper_bound(instance: Instance) -> int:
    """The most interviews any valid schedule can hold: the fixed ones plus a maximum
    b-matching of the remaining wishes, time conflicts aside (each candidate at most
    min(cap, interviews that fit their window with the gap), each employer at most
    min(cap, tables × slots of its window))."""
    from ortools.graph.python import max_flow

    fixed_of_candidate = defaultdict(int)
    fixed_of_employer = defaultdict(int)
    met = set()
    for f in instance.fixed:
        fixed_of_candidate[f.candidate] += 1
        fixed_of_employer[f.employer] += 1
        met.add((f.candidate, f.employer))
    pairs = [(c, e) for c, e, _rank in instance.wish_pairs() if (c, e) not in met]
    if not pairs:
        return len(instance.fixed)
    candidates = sorted({c for c, _ in pairs})
    employers = sorted({e for _, e in pairs})
    node = {("c", c): i + 2 for i, c in enumerate(candidates)}
    node.update({("e", e): i + 2 + len(candidates) for i, e in enumerate(employers)})
    source, sink = 0, 1
    flow = max_flow.SimpleMaxFlow()
    step = instance.gap_slots + 1
    for c in candidates:
        candidate = instance.candidates[c]
        fits = math.ceil((candidate.last - candidate.first + 1) / step)
        capacity = min(candidate.max_interviews, fits) - fixed_of_candidate[c]
        flow.add_arc_with_capacity(source, node["c", c], max(0, capacity))
    for e in employers:
        employer = instance.employers[e]
        capacity = employer.tables * (employer.last - employer.first + 1)
        if employer.max_interviews is not None:
            capacity = min(capacity, employer.max_interviews)
        flow.add_arc_with_capacity(node["e", e], sink, max(0, capacity - fixed_of_employer[e]))
    for c, e in pairs:
        flow.add_arc_with_capacity(node["c", c], node["e", e], 1)
    flow.solve(source, sink)
    return len(instance.fixed) + flow.optimal_flow()


# --- Baseline and greedy -------------------------------------------------------------------


def baseline(instance: Instance) -> list[Interview]:
    """First come, first served: candidates in the instance's order, each books their
    wishes in rank order into the earliest slot free for both sides."""
    board = Board(instance)
    for candidate in instance.candidates.values():
        for employer, _rank in sorted(candidate.wishes.items(), key=lambda item: item[1]):
            board.place(candidate.id, employer, earliest=True)
    return board.interviews()


def _feasible_wishes(instance: Instance) -> dict[str, list[str]]:
    wishes = defaultdict(list)
    for c, e, _rank in sorted(instance.wish_pairs(), key=lambda p: (p[0], p[2])):
        wishes[c].append(e)
    return wishes


def greedy(instance: Instance, seed: int = 0, deadline: float | None = None) -> list[Interview]:
    """Rounds: everyone's first interview before anyone's second, the hardest candidates
    (fewest possible wishes) first, wishes by rank; then repairs that move one interview
    to make room for a candidate who has fewer."""
    rng = random.Random(seed)
    board = Board(instance)
    wishes = _feasible_wishes(instance)
    order = sorted(wishes, key=lambda c: (len(wishes[c]), rng.random()))
    top = max([0, *(instance.candidates[c].max_interviews for c in order)])
    for round_number in range(1, top + 1):
        for c in order:
            if board.count(c) >= round_number:
                continue
            for e in wishes[c]:
                if board.place(c, e) is not None:
                    break
    _repair(instance, board, wishes, order, deadline)
    return board.interviews()


def _repair(instance, board: Board, wishes, order, deadline) -> None:
    """Give candidates with the fewest interviews one more: in a free slot, by moving an
    interview that takes the table they need to another slot of the same employer, or by
    taking it from a candidate who has two more. Each change raises the leximin key, so
    the loop ends."""
    improved = True
    while improved:
        improved = False
        for c in sorted(order, key=board.count):
            if deadline is not None and time.monotonic() > deadline:
                return
            if board.count(c) >= min(instance.candidates[c].max_interviews, len(wishes[c])):
                continue
            for e in wishes[c]:
                if not board.can_meet(c, e):
                    continue
                if (
                    board.place(c, e) is not None
                    or _make_room(instance, board, c, e)
                    or _take_from_richer(instance, board, c, e)
                ):
                    improved = True
                    break


def _make_room(instance, board: Board, c: str, e: str) -> bool:
    """Move another candidate's (not fixed) interview with `e` to another slot, so that `c`
    takes its place; True when done."""
    for slot in instance.common_slots(c, e):
        if not board.candidate_free(c, slot):
            continue
        for table in range(1, instance.employers[e].tables + 1):
            occupant = board.at.get((e, slot, table))
            if occupant is None or occupant in board.fixed:
                continue
            for other in instance.common_slots(occupant.candidate, e):
                if other == slot or not board.candidate_free(occupant.candidate, other, slot):
                    continue
                free = board.free_table(e, other)
                if free is None:
                    continue
                board.remove(occupant)
                board.add(Interview(other, e, free, occupant.candidate))
                board.add(Interview(slot, e, table, c))
                return True
    return False


def _take_from_richer(instance, board: Board, c: str, e: str) -> bool:
    """Give `c` the table of a (not fixed) interview with `e` whose candidate has at least two
    interviews more than `c`: one more candidate reaches a level that counts first in the
    leximin order; True when done."""
    for slot in instance.common_slots(c, e):
        if not board.candidate_free(c, slot):
            continue
        for table in range(1, instance.employers[e].tables + 1):
            occupant = board.at.get((e, slot, table))
            if occupant is None or occupant in board.fixed:
                continue
            if board.count(occupant.candidate) < board.count(c) + 2:
                continue
            board.remove(occupant)
            board.add(Interview(slot, e, table, c))
            return True
    return False


# --- Exact: min-cost flow, then edge colouring ---------------------------------------------


def exact_applies(instance: Instance) -> str | None:
    """Why the exact method does not apply to the instance, or None when it does."""
    last = len(instance.slots) - 1
    if instance.fixed:
        return "il y a des entretiens fixés"
    if instance.gap_slots:
        return "un battement d'au moins un créneau est demandé (gap_slots)"
    for candidate in instance.candidates.values():
        if (candidate.first, candidate.last) != (0, last):
            return f"le candidat {candidate.id} n'est pas disponible toute la journée"
    for employer in instance.employers.values():
        if (employer.first, employer.last) != (0, last):
            return f"l'employeur {employer.id} n'est pas présent toute la journée"
        if employer.max_interviews is not None and employer.max_interviews < employer.tables * (
            last + 1
        ):
            return f"l'employeur {employer.id} a un maximum d'entretiens"
    return None


def exact(instance: Instance) -> list[Interview]:
    """Optimal when nobody has windows, gaps or fixed interviews: a min-cost maximum flow
    chooses the wishes (each candidate's k-th interview costs k × S, so that counts are
    as even as they can be, which is the leximin optimum on these flows; then the lost
    rank weight), and a bipartite edge colouring with one colour per slot makes it a
    timetable (König: a degree of at most the number of slots always fits)."""
    from ortools.graph.python import min_cost_flow

    n = len(instance.slots)
    pairs = instance.wish_pairs()
    candidates = sorted({c for c, _e, _r in pairs})
    employers = sorted({e for _c, e, _r in pairs})
    if not pairs:
        return []
    node = {("c", c): i + 2 for i, c in enumerate(candidates)}
    node.update({("e", e): i + 2 + len(candidates) for i, e in enumerate(employers)})
    source, sink = 0, 1
    caps = {c: min(instance.candidates[c].max_interviews, n) for c in candidates}
    spread = sum(caps.values()) * MAX_RANK_WEIGHT + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    for c in candidates:
        for k in range(1, caps[c] + 1):
            flow.add_arc_with_capacity_and_unit_cost(source, node["c", c], 1, k * spread)
    arcs = {}
    for c, e, rank in pairs:
        arc = flow.add_arc_with_capacity_and_unit_cost(
            node["c", c], node["e", e], 1, MAX_RANK_WEIGHT - rank_weight(rank)
        )
        arcs[arc] = (c, e)
    for e in employers:
        flow.add_arc_with_capacity_and_unit_cost(
            node["e", e], sink, instance.employers[e].tables * n, 0
        )
    flow.set_node_supply(source, sum(caps.values()))
    flow.set_node_supply(sink, -sum(caps.values()))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min cost flow: status {status}")
    chosen = [pair for arc, pair in arcs.items() if flow.flow(arc)]
    return _colour(instance, chosen)


def _colour(instance: Instance, chosen: list[tuple[str, str]]) -> list[Interview]:
    """Give each chosen (candidate, employer) a slot and a table: the employer's meetings
    are dealt round-robin to its tables, then the bipartite multigraph candidates–tables is
    edge-coloured with the slots as colours (alternating-path flips)."""
    n = len(instance.slots)
    dealt = defaultdict(int)
    edges = []
    for c, e in sorted(chosen, key=lambda pair: (pair[1], pair[0])):
        table = dealt[e] % instance.employers[e].tables + 1
        dealt[e] += 1
        edges.append((("c", c), ("t", e, table)))
    colour_at: dict[object, dict[int, object]] = defaultdict(dict)

    def free_colour(vertex) -> int:
        used = colour_at[vertex]
        return next(colour for colour in range(n) if colour not in used)

    for u, v in edges:
        a, b = free_colour(u), free_colour(v)
        if a not in colour_at[v]:
            colour = a
        else:
            # Swap a and b along the path from v that alternates a, b, a…
            path, vertex, colour_now = [], v, a
            while colour_now in colour_at[vertex]:
                nxt = colour_at[vertex][colour_now]
                path.append((vertex, nxt, colour_now))
                vertex, colour_now = nxt, (b if colour_now == a else a)
            for x, y, colour_old in path:
                del colour_at[x][colour_old]
                del colour_at[y][colour_old]
            for x, y, colour_old in path:
                colour_new = b if colour_old == a else a
                colour_at[x][colour_new] = y
                colour_at[y][colour_new] = x
            colour = a
        colour_at[u][colour] = v
        colour_at[v][colour] = u
    interviews = []
    for vertex, colours in colour_at.items():
        if vertex[0] != "c":
            continue
        for colour, table_vertex in colours.items():
            interviews.append(Interview(colour, table_vertex[1], table_vertex[2], vertex[1]))
    return sorted(interviews)


# --- CP-SAT ------------------------------------------------------------------------------------

#: Above this many (wish, slot) variables, CP-SAT is not tried: greedy with repairs instead.
CPSAT_MAX_VARIABLES = 250_000


def cpsat_size(instance: Instance) -> int:
    return sum(len(instance.common_slots(c, e)) for c, e, _r in instance.wish_pairs())


def cpsat(
    instance: Instance, start: list[Interview], time_limit: float, seed: int, progress=None
) -> tuple[list[Interview], bool]:
    """CP-SAT, warm-started from `start` (hinted), in lexicographic stages: the number of
    candidates with at least 1 interview, then 2…, then the rank-weighted wishes, then the
    candidates' idle slots (started from `compact`'s moves); each
    stage's best value is kept as a constraint for the next. Each stage is hinted with the
    best schedule known so far (`start`, then the stages' results), so the result is never
    worse than `start` on coverage and wishes. A stage gets an equal share of what is left
    of `time_limit`, read as deterministic time: a quarter for a complete search with one
    worker (enough to prove the easy stages optimal), then large neighbourhood search with
    two interleaved workers (`interleave_search`, deterministic). Deterministic limits, a
    fixed seed and deterministic workers make a seed always give the same schedule (a
    wall-clock limit of twice the share is only a safety net). Tables are interchangeable: the model
    counts interviews per employer and slot, and tables are numbered after. Returns
    (interviews, whether every stage was proven optimal)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    fixed_at = defaultdict(int)
    fixed_slots = defaultdict(list)
    fixed_count = defaultdict(int)
    fixed_employer = defaultdict(int)
    met = set()
    for f in instance.fixed:
        fixed_at[f.employer, f.slot] += 1
        fixed_slots[f.candidate].append(f.slot)
        fixed_count[f.candidate] += 1
        fixed_employer[f.employer] += 1
        met.add((f.candidate, f.employer))
    gap = instance.gap_slots
    x = {}
    ranks = {}
    for c, e, rank in instance.wish_pairs():
        if (c, e) in met:
            continue
        ranks[c, e] = rank
        for s in instance.common_slots(c, e):
            if any(abs(s - t) <= gap for t in fixed_slots[c]):
                continue
            if fixed_at[e, s] >= instance.employers[e].tables:
                continue
            x[c, e, s] = model.new_bool_var(f"x_{c}_{e}_{s}")
    by_pair = defaultdict(list)
    by_employer_slot = defaultdict(list)
    by_candidate_slot = defaultdict(list)
    by_employer = defaultdict(list)
    for (c, e, s), var in x.items():
        by_pair[c, e].append(var)
        by_employer_slot[e, s].append(var)
        by_candidate_slot[c, s].append(var)
        by_employer[e].append(var)
    for variables in by_pair.values():
        model.add_at_most_one(variables)
    for (e, s), variables in by_employer_slot.items():
        model.add(sum(variables) <= instance.employers[e].tables - fixed_at[e, s])
    for e, variables in by_employer.items():
        cap = instance.employers[e].max_interviews
        if cap is not None:
            model.add(sum(variables) <= cap - fixed_employer[e])
    candidates_slots = defaultdict(set)
    for c, s in by_candidate_slot:
        candidates_slots[c].add(s)
    counts = {}
    for c, slots in candidates_slots.items():
        for s in slots:
            window = [v for t in range(s, s + gap + 1) for v in by_candidate_slot.get((c, t), [])]
            if len(window) > 1:
                model.add_at_most_one(window)
        mine = [v for s in slots for v in by_candidate_slot[c, s]]
        cap = instance.candidates[c].max_interviews - fixed_count[c]
        model.add(sum(mine) <= cap)
        counts[c] = (sum(mine), fixed_count[c])
    wish_count = defaultdict(int)
    for c, _e in ranks:
        wish_count[c] += 1
    levels = defaultdict(list)
    for c, (expression, fixed_n) in counts.items():
        top = min(instance.candidates[c].max_interviews, fixed_n + wish_count[c])
        previous = None
        ys = []
        for k in range(fixed_n + 1, top + 1):
            y = model.new_bool_var(f"y_{c}_{k}")
            if previous is not None:
                model.add_implication(y, previous)
            previous = y
            ys.append(y)
            levels[k].append((c, y))
        if ys:
            model.add(sum(ys) <= expression)
    stages = sorted(levels)
    weights = {key: rank_weight(ranks[key[0], key[1]]) for key in x}
    waits = _wait_model(model, instance, candidates_slots, by_candidate_slot, fixed_slots)

    def counts_of(keys: frozenset) -> dict[str, int]:
        number = defaultdict(int, fixed_count)
        for c, _e, _s in keys:
            number[c] += 1
        return number

    def values_of(keys: frozenset) -> tuple[int, ...]:
        """The stages' objectives for a set of chosen (candidate, employer, slot)."""
        number = counts_of(keys)
        busy = defaultdict(list, {c: list(slots) for c, slots in fixed_slots.items()})
        for c, _e, s in keys:
            busy[c].append(s)
        return (
            *(sum(1 for c, _y in levels[k] if number[c] >= k) for k in stages),
            sum(weights[key] for key in keys),
            -sum(_span_wait(busy[c]) for c in waits),
        )

    def hint(keys: frozenset) -> None:
        model.clear_hints()
        for key, var in x.items():
            model.add_hint(var, key in keys)
        number = counts_of(keys)
        for k in stages:
            for c, y in levels[k]:
                model.add_hint(y, number[c] >= k)
        busy = defaultdict(list, {c: list(slots) for c, slots in fixed_slots.items()})
        for c, _e, s in keys:
            busy[c].append(s)
        for c, (first, last, wait) in waits.items():
            model.add_hint(wait, _span_wait(busy[c]))
            if busy[c]:
                model.add_hint(first, min(busy[c]))
                model.add_hint(last, max(busy[c]))

    incumbent = frozenset(
        key for key in ((i.candidate, i.employer, i.slot) for i in start) if key in x
    )
    optimal = True
    targets = [sum(y for _c, y in levels[k]) for k in stages]
    targets.append(sum(weight * x[key] for key, weight in weights.items()))
    targets.append(-sum(wait for _first, _last, wait in waits.values()))
    spent = 0.0
    for number, target in enumerate(targets):
        if number == len(targets) - 1:
            # Less waiting: start from the local search's moves, which keep who meets whom.
            shorter = compact(instance, _number_tables(instance, sorted(incumbent)))
            incumbent = frozenset((i.candidate, i.employer, i.slot) for i in shorter) & x.keys()
        model.maximize(target)
        budget = (time_limit - spent) / (len(targets) - number)
        # A complete search first (it proves the easy stages), then large neighbourhoods.
        for lns, share in ((False, budget / 4), (True, budget * 3 / 4)):
            hint(incumbent)
            solver = cp_model.CpSolver()
            solver.parameters.random_seed = seed
            solver.parameters.max_deterministic_time = share
            solver.parameters.max_time_in_seconds = 2 * share + 1
            if lns:
                solver.parameters.num_workers = 2
                solver.parameters.interleave_search = True
                solver.parameters.use_lns_only = True
            else:
                solver.parameters.num_workers = 1
            status = solver.solve(model)
            spent += solver.deterministic_time
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                found = frozenset(key for key, var in x.items() if solver.boolean_value(var))
                if values_of(found) > values_of(incumbent):
                    incumbent = found
            if status == cp_model.OPTIMAL:
                break
        else:
            optimal = False
        if progress:
            progress(
                (number + 1) / len(targets), f"CP-SAT, critère {number + 1} sur {len(targets)}"
            )
        model.add(target >= values_of(incumbent)[number])
    return _number_tables(instance, sorted(incumbent)), optimal


def _wait_model(model, instance: Instance, candidates_slots, by_candidate_slot, fixed_slots):
    """Each candidate's idle slots between their first and last interview, as CP-SAT
    variables: {candidate: (first, last, wait)}, wait >= last - first + 1 - interviews
    whenever the candidate has one."""
    waits = {}
    for c, slots in candidates_slots.items():
        fixed = set(fixed_slots[c])
        every = sorted(slots | fixed)
        if len(every) < 2:
            continue
        lo, hi = every[0], every[-1]
        first = model.new_int_var(lo, hi, f"first_{c}")
        last = model.new_int_var(lo, hi, f"last_{c}")
        wait = model.new_int_var(0, hi - lo, f"wait_{c}")
        has = model.new_bool_var(f"has_{c}")
        busy = []
        for s in every:
            if s in fixed:
                model.add(first <= s)
                model.add(last >= s)
                model.add(has == 1)
                busy.append(1)
                continue
            variables = by_candidate_slot[c, s]
            if len(variables) == 1:
                here = variables[0]
            else:
                here = model.new_bool_var(f"busy_{c}_{s}")
                model.add(here == sum(variables))
            model.add(first <= s).only_enforce_if(here)
            model.add(last >= s).only_enforce_if(here)
            model.add_implication(here, has)
            busy.append(here)
        model.add(wait >= last - first + 1 - sum(busy)).only_enforce_if(has)
        waits[c] = (first, last, wait)
    return waits


def _number_tables(instance: Instance, chosen: list[tuple[str, str, int]]) -> list[Interview]:
    board = Board(instance)
    for c, e, s in sorted(chosen, key=lambda key: (key[2], key[1], key[0])):
        board.add(Interview(s, e, board.free_table(e, s), c))
    return board.interviews()


# --- Choosing ---------------------------------------------------------------------------


def default_time_limit(instance: Instance) -> float:
    n = len(instance.candidates)
    return 10.0 if n <= 200 else 60.0 if n <= 1_000 else 300.0


def better(instance: Instance, one: list[Interview], other: list[Interview]) -> list[Interview]:
    return one if objective(instance, one) >= objective(instance, other) else other


# --- Less waiting -------------------------------------------------------------------------


def _span_wait(slots: list[int]) -> int:
    return max(slots) - min(slots) + 1 - len(slots) if slots else 0


def compact(
    instance: Instance, interviews: list[Interview], deadline: float | None = None
) -> list[Interview]:
    """Shorten candidates' waits: move an interview (never a fixed one) to another free
    slot of the same employer when that leaves its candidate less idle time, and let two
    candidates of one employer exchange their slots when both wait less together. Who meets
    whom does not change, so coverage and wishes stay as they are."""
    board = Board(instance)
    for interview in interviews:
        if interview not in board.fixed:
            board.add(interview)
    improved, passes = True, 0
    while improved and passes < 6:
        improved, passes = False, passes + 1
        for candidate in sorted(board.busy):
            if deadline is not None and time.monotonic() > deadline:
                return board.interviews()
            for interview in sorted(board.busy[candidate].values()):
                if interview in board.fixed or len(board.busy[candidate]) < 2:
                    continue
                others = [s for s in board.busy[candidate] if s != interview.slot]
                current = _span_wait([*others, interview.slot])
                best = None
                for slot in instance.common_slots(candidate, interview.employer):
                    if slot == interview.slot:
                        continue
                    wait = _span_wait([*others, slot])
                    if wait >= current or (best and wait >= best[0]):
                        continue
                    if not board.candidate_free(candidate, slot, interview.slot):
                        continue
                    table = board.free_table(interview.employer, slot)
                    if table is not None:
                        best = (wait, slot, table)
                if best:
                    board.remove(interview)
                    board.add(Interview(best[1], interview.employer, best[2], candidate))
                    improved = True
        for employer in sorted(instance.employers):
            if deadline is not None and time.monotonic() > deadline:
                return board.interviews()
            improved = _swap_slots(instance, board, employer) or improved
    return board.interviews()


def _swap_slots(instance: Instance, board: Board, employer: str) -> bool:
    """Two candidates of one employer exchange their slots when that shortens their
    waits together."""
    improved = False
    mine = sorted(
        (i for (e, _s, _t), i in board.at.items() if e == employer and i not in board.fixed),
        key=lambda i: (i.slot, i.table),
    )
    for a_index, a in enumerate(mine):
        for b_index in range(a_index + 1, len(mine)):
            b = mine[b_index]
            if a.slot == b.slot or a.candidate == b.candidate:
                continue
            if a.slot not in instance.common_slots(b.candidate, employer) or (
                b.slot not in instance.common_slots(a.candidate, employer)
            ):
                continue
            a_others = [s for s in board.busy[a.candidate] if s != a.slot]
            b_others = [s for s in board.busy[b.candidate] if s != b.slot]
            before = _span_wait([*a_others, a.slot]) + _span_wait([*b_others, b.slot])
            after = _span_wait([*a_others, b.slot]) + _span_wait([*b_others, a.slot])
            if after >= before:
                continue
            if not board.candidate_free(a.candidate, b.slot, a.slot) or not board.candidate_free(
                b.candidate, a.slot, b.slot
            ):
                continue
            board.remove(a)
            board.remove(b)
            a, b = (
                Interview(b.slot, employer, b.table, a.candidate),
                Interview(a.slot, employer, a.table, b.candidate),
            )
            board.add(a)
            board.add(b)
            mine[a_index], mine[b_index] = a, b
            improved = True
    return improved
