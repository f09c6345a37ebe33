"""The scheduling instance of `spec/scheduling.md`: reading and checking its JSON.

Slots are the grid's "HH:MM" starts; inside the solver they are indexes 0 … n-1.
"""

from dataclasses import dataclass, field

#: Value of a met wish by rank: rank 1 is worth 10, rank 10 and beyond 1.
MAX_RANK_WEIGHT = 10


def rank_weight(rank: int) -> int:
    return max(1, MAX_RANK_WEIGHT + 1 - rank)


class InstanceError(Exception):
    """The instance cannot be scheduled as given. `code` is stable, `entry` says where
    (`fixed[2]`, `candidates[C12]`, `employers[E4]` or None), `message` is for people."""

    def __init__(self, message: str, code: str, entry: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.entry = entry


@dataclass
class Employer:
    id: str
    tables: int
    first: int
    last: int
    max_interviews: int | None
    vetoes: frozenset[str]


@dataclass
class Candidate:
    id: str
    first: int
    last: int
    max_interviews: int
    #: employer id → best rank, in the order given.
    wishes: dict[str, int]


@dataclass(frozen=True)
class Fixed:
    candidate: str
    employer: str
    table: int
    slot: int


@dataclass
class Instance:
    slot_minutes: int
    slots: list[str]
    gap_slots: int
    default_max_interviews: int
    employers: dict[str, Employer]
    candidates: dict[str, Candidate]
    fixed: list[Fixed] = field(default_factory=list)

    def slot_index(self, label: str) -> int:
        return self.slots.index(label)

    def wish_pairs(self) -> list[tuple[str, str, int]]:
        """(candidate, employer, rank) of every wish that could be met: not vetoed, and
        with windows that overlap."""
        pairs = []
        for candidate in self.candidates.values():
            for employer_id, rank in candidate.wishes.items():
                employer = self.employers[employer_id]
                if candidate.id in employer.vetoes:
                    continue
                if max(candidate.first, employer.first) > min(candidate.last, employer.last):
                    continue
                pairs.append((candidate.id, employer_id, rank))
        return pairs

    def common_slots(self, candidate_id: str, employer_id: str) -> range:
        candidate, employer = self.candidates[candidate_id], self.employers[employer_id]
        return range(max(candidate.first, employer.first), min(candidate.last, employer.last) + 1)


def _fail(message: str, code: str = "invalid_format", entry: str | None = None):
    raise InstanceError(message, code, entry)


def _integer(value, what: str, minimum: int, entry: str | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        _fail(f"{what} : un nombre entier d'au moins {minimum} est attendu.", entry=entry)
    return value


def _window(data: dict, slots: list[str], entry: str) -> tuple[int, int]:
    available = data.get("available")
    if available is None:
        return 0, len(slots) - 1
    if not isinstance(available, list) or len(available) != 2:
        _fail(f"{entry} : « available » doit donner le premier et le dernier créneau.", entry=entry)
    for label in available:
        if label not in slots:
            _fail(
                f"{entry} : le créneau {label!r} n'est pas dans la grille.", "unknown_slot", entry
            )
    first, last = slots.index(available[0]), slots.index(available[1])
    if first > last:
        _fail(f"{entry} : le premier créneau est après le dernier.", "unknown_slot", entry)
    return first, last


def parse_instance(data: dict) -> Instance:
    """Read and check the instance JSON; raise InstanceError naming the faulty entry."""
    if not isinstance(data, dict):
        _fail("L'instance doit être un objet JSON.")
    slots = data.get("slots")
    if not isinstance(slots, list) or not slots or not all(isinstance(s, str) for s in slots):
        _fail('« slots » doit être la liste des débuts de créneaux, par exemple ["09:00"].')
    if len(set(slots)) != len(slots):
        _fail("« slots » contient deux fois le même créneau.", "duplicate_id")
    instance = Instance(
        slot_minutes=_integer(data.get("slot_minutes", 15), "slot_minutes", 1),
        slots=list(slots),
        gap_slots=_integer(data.get("gap_slots", 0), "gap_slots", 0),
        default_max_interviews=_integer(
            data.get("default_max_interviews", 3), "default_max_interviews", 0
        ),
        employers={},
        candidates={},
    )
    for item in data.get("employers", []):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            _fail("Chaque employeur doit avoir un « id » texte.", entry="employers")
        entry = f"employers[{item['id']}]"
        if item["id"] in instance.employers:
            _fail(f"{entry} : cet id est donné deux fois.", "duplicate_id", entry)
        first, last = _window(item, slots, entry)
        cap = item.get("max_interviews")
        vetoes = item.get("vetoes", [])
        if not isinstance(vetoes, list):
            _fail(f"{entry} : « vetoes » doit être une liste d'ids de candidats.", entry=entry)
        instance.employers[item["id"]] = Employer(
            id=item["id"],
            tables=_integer(item.get("tables", 1), f"{entry}.tables", 1, entry),
            first=first,
            last=last,
            max_interviews=None if cap is None else _integer(cap, f"{entry}.max_interviews", 0),
            vetoes=frozenset(vetoes),
        )
    for item in data.get("candidates", []):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            _fail("Chaque candidat doit avoir un « id » texte.", entry="candidates")
        entry = f"candidates[{item['id']}]"
        if item["id"] in instance.candidates:
            _fail(f"{entry} : cet id est donné deux fois.", "duplicate_id", entry)
        first, last = _window(item, slots, entry)
        cap = item.get("max_interviews")
        wishes: dict[str, int] = {}
        for wish in item.get("wishes", []):
            if not isinstance(wish, dict) or not isinstance(wish.get("employer"), str):
                _fail(f"{entry} : chaque vœu doit nommer un employeur.", entry=entry)
            employer = wish["employer"]
            if employer not in instance.employers:
                _fail(
                    f"{entry} : le vœu porte sur l'employeur inconnu {employer!r}.",
                    "unknown_employer",
                    entry,
                )
            rank = _integer(wish.get("rank", len(wishes) + 1), f"{entry} : rang", 1, entry)
            wishes[employer] = min(rank, wishes.get(employer, rank))
        instance.candidates[item["id"]] = Candidate(
            id=item["id"],
            first=first,
            last=last,
            max_interviews=instance.default_max_interviews
            if cap is None
            else _integer(cap, f"{entry}.max_interviews", 0, entry),
            wishes=wishes,
        )
    for employer in instance.employers.values():
        for candidate_id in employer.vetoes:
            if candidate_id not in instance.candidates:
                entry = f"employers[{employer.id}]"
                _fail(
                    f"{entry} : le refus porte sur le candidat inconnu {candidate_id!r}.",
                    "unknown_candidate",
                    entry,
                )
    instance.fixed = _parse_fixed(instance, data.get("fixed", []))
    return instance


def _parse_fixed(instance: Instance, items: list) -> list[Fixed]:
    fixed: list[Fixed] = []
    tables_used: dict[tuple[str, int, int], int] = {}
    by_candidate: dict[str, list[tuple[int, int]]] = {}
    per_employer: dict[str, int] = {}
    met: set[tuple[str, str]] = set()
    for index, item in enumerate(items):
        entry = f"fixed[{index}]"
        if not isinstance(item, dict):
            _fail(f"Entretien fixé n° {index + 1} : un objet est attendu.", entry=entry)
        name = (
            f"Entretien fixé n° {index + 1} ({item.get('candidate')} avec {item.get('employer')},"
            f" table {item.get('table')}, {item.get('slot')})"
        )
        candidate = instance.candidates.get(item.get("candidate"))
        if candidate is None:
            _fail(f"{name} : candidat inconnu.", "unknown_candidate", entry)
        employer = instance.employers.get(item.get("employer"))
        if employer is None:
            _fail(f"{name} : employeur inconnu.", "unknown_employer", entry)
        if item.get("slot") not in instance.slots:
            _fail(f"{name} : ce créneau n'est pas dans la grille.", "unknown_slot", entry)
        table = item.get("table")
        if (
            isinstance(table, bool)
            or not isinstance(table, int)
            or not 1 <= table <= employer.tables
        ):
            _fail(
                f"{name} : l'employeur n'a que {employer.tables} table(s).",
                "table_out_of_range",
                entry,
            )
        slot = instance.slot_index(item["slot"])
        if candidate.id in employer.vetoes:
            _fail(f"{name} : l'employeur a refusé ce candidat.", "fixed_vetoed", entry)
        if not (
            employer.first <= slot <= employer.last and candidate.first <= slot <= candidate.last
        ):
            _fail(
                f"{name} : ce créneau est en dehors des horaires de l'employeur ou du candidat.",
                "fixed_outside_window",
                entry,
            )
        if (employer.id, table, slot) in tables_used:
            other = tables_used[employer.id, table, slot] + 1
            _fail(
                f"{name} : la table est déjà prise par l'entretien fixé n° {other}.",
                "fixed_clash",
                entry,
            )
        for other_slot, other_index in by_candidate.get(candidate.id, []):
            if abs(other_slot - slot) <= instance.gap_slots:
                _fail(
                    f"{name} : le candidat {candidate.id} a déjà un entretien à "
                    f"{instance.slots[other_slot]} (entretien fixé n° {other_index + 1}).",
                    "fixed_clash",
                    entry,
                )
        if (candidate.id, employer.id) in met:
            _fail(f"{name} : ce candidat rencontre déjà cet employeur.", "fixed_clash", entry)
        tables_used[employer.id, table, slot] = index
        by_candidate.setdefault(candidate.id, []).append((slot, index))
        per_employer[employer.id] = per_employer.get(employer.id, 0) + 1
        met.add((candidate.id, employer.id))
        if len(by_candidate[candidate.id]) > candidate.max_interviews:
            _fail(
                f"{name} : plus d'entretiens fixés que le maximum du candidat "
                f"({candidate.max_interviews}).",
                "fixed_over_cap",
                entry,
            )
        if (
            employer.max_interviews is not None
            and per_employer[employer.id] > employer.max_interviews
        ):
            _fail(
                f"{name} : plus d'entretiens fixés que le maximum de l'employeur "
                f"({employer.max_interviews}).",
                "fixed_over_cap",
                entry,
            )
        fixed.append(Fixed(candidate.id, employer.id, table, slot))
    return fixed
