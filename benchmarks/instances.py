"""Seeded instances for the scheduling benchmark (spec/scheduling.md, "Benchmark").

Family A: no windows, no gap, default caps: the bound is the optimum.
Family B: half the employers there half a day, candidate windows, gap 1, caps per candidate
(2 to 4) and on some employers, a few vetoes.
Popularity follows a Zipf-like skew, so that demand for the best-known employers exceeds
their tables, as at the 2023 étapes (about 160 candidates, 20 employers, 230 interviews).
"""

import random


def _grid(slot_count: int, start_minutes: int = 9 * 60, step: int = 15) -> list[str]:
    return [
        f"{(start_minutes + i * step) // 60:02d}:{(start_minutes + i * step) % 60:02d}"
        for i in range(slot_count)
    ]


def generate(family: str, candidates: int, employers: int, seed: int = 0) -> dict:
    """An instance as JSON: `family` "A" or "B"."""
    if family not in ("A", "B"):
        raise ValueError("family must be A or B")
    rng = random.Random(f"{family}-{candidates}-{employers}-{seed}")
    slot_count = 16 if candidates <= 1_000 else 28
    slots = _grid(slot_count)
    half = slot_count // 2
    popularity = [1 / (i + 1) ** 0.8 for i in range(employers)]
    instance_employers = []
    for i in range(employers):
        employer = {
            "id": f"E{i + 1}",
            "tables": rng.choices([1, 2, 3], weights=[6, 3, 1])[0],
            "vetoes": [],
        }
        if family == "B":
            if rng.random() < 0.5:
                first, last = (0, half - 1) if rng.random() < 0.5 else (half, slot_count - 1)
                employer["available"] = [slots[first], slots[last]]
            if rng.random() < 0.2:
                employer["max_interviews"] = rng.randint(4, 10)
        instance_employers.append(employer)
    instance_candidates = []
    for i in range(candidates):
        wish_count = min(employers, rng.randint(3, 6))
        chosen: list[int] = []
        while len(chosen) < wish_count:
            pick = rng.choices(range(employers), weights=popularity)[0]
            if pick not in chosen:
                chosen.append(pick)
        candidate = {
            "id": f"C{i + 1}",
            "wishes": [{"employer": f"E{e + 1}", "rank": r + 1} for r, e in enumerate(chosen)],
        }
        if family == "B":
            candidate["max_interviews"] = rng.randint(2, 4)
            if rng.random() < 0.3:
                first = rng.randint(0, slot_count // 2)
                last = rng.randint(first + 3, slot_count - 1) if first + 3 < slot_count else first
                candidate["available"] = [slots[first], slots[last]]
            for e in chosen:
                if rng.random() < 0.03:
                    instance_employers[e]["vetoes"].append(candidate["id"])
        instance_candidates.append(candidate)
    return {
        "slot_minutes": 15,
        "slots": slots,
        "gap_slots": 1 if family == "B" else 0,
        "default_max_interviews": 3,
        "employers": instance_employers,
        "candidates": instance_candidates,
        "fixed": [],
    }
