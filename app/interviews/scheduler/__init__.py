"""The interview scheduler of `spec/scheduling.md`: a pure module (no Flask, no database).

    instance = parse_instance(data)            # InstanceError names what is wrong
    solution = solve(instance, method="auto")  # the solution JSON, with its figures
    check(instance, solution)                  # [] when every rule holds
    upper_bound(instance), baseline(instance)

Methods: "exact" (min-cost flow + edge colouring; only without windows, gaps, caps or fixed
interviews, and then optimal), "cpsat" (OR-Tools, warm-started from greedy, never worse),
"greedy" (fast, with repairs), "auto" (exact when it applies, CP-SAT up to
CPSAT_MAX_VARIABLES, else greedy). Rank weight of a met wish: 11 - rank, at least 1.
"""

import time

from app.interviews.scheduler import methods
from app.interviews.scheduler.instance import Instance, InstanceError, parse_instance
from app.interviews.scheduler.solution import check as _check
from app.interviews.scheduler.solution import to_json

__all__ = [
    "METHODS",
    "Instance",
    "InstanceError",
    "baseline",
    "check",
    "parse_instance",
    "solve",
    "upper_bound",
]

METHODS = ("auto", "greedy", "exact", "cpsat")


def upper_bound(instance: Instance) -> int:
    return methods.upper_bound(instance)


def check(instance: Instance, solution: dict) -> list[str]:
    return _check(instance, solution)


def baseline(instance: Instance) -> dict:
    started = time.monotonic()
    interviews = methods.baseline(instance)
    return to_json(
        instance,
        interviews,
        upper_bound=upper_bound(instance),
        method="baseline",
        optimal=False,
        seconds=time.monotonic() - started,
    )


def solve(
    instance: Instance,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    progress=None,
) -> dict:
    """Schedule the instance; `progress(fraction, message)` is called as it goes."""
    if method not in METHODS:
        raise InstanceError(f"Méthode inconnue : {method!r}.", "invalid_format")
    started = time.monotonic()
    limit = methods.default_time_limit(instance) if time_limit is None else time_limit
    bound = upper_bound(instance)
    why_not_exact = methods.exact_applies(instance)
    if method == "exact" and why_not_exact:
        raise InstanceError(
            f"La méthode exacte ne s'applique pas : {why_not_exact}.", "exact_not_applicable"
        )
    if method == "auto":
        if why_not_exact is None:
            method = "exact"
        elif methods.cpsat_size(instance) <= methods.CPSAT_MAX_VARIABLES:
            method = "cpsat"
        else:
            method = "greedy"
    if progress:
        progress(0.0, "préparation")
    optimal = False
    if method == "exact":
        interviews = methods.exact(instance)
        optimal = True
    else:
        deadline = started + (limit if method == "greedy" else limit / 4)
        interviews = methods.greedy(instance, seed, deadline)
        if method == "cpsat":
            # Deterministic time (read neither the clock nor how long greedy took, so that a
            # seed gives one schedule); 80 % of the limit leaves room for the model, greedy
            # and the clock running a little ahead of deterministic time.
            found, optimal = methods.cpsat(instance, interviews, 0.8 * limit, seed, progress)
            interviews = methods.better(instance, found, interviews)
    interviews = methods.compact(instance, interviews, started + limit * 1.2)
    if len(interviews) == bound:
        optimal = optimal or method == "exact"
    if progress:
        progress(1.0, "terminé")
    return to_json(
        instance,
        interviews,
        upper_bound=bound,
        method=method,
        optimal=optimal,
        seconds=time.monotonic() - started,
    )
