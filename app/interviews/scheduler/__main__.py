"""python -m app.interviews.scheduler solve|check|bound … (see spec/scheduling.md)."""

import argparse
import json
import sys

from app.interviews.scheduler import (
    METHODS,
    InstanceError,
    check,
    parse_instance,
    solve,
    upper_bound,
)


def _read_json(path: str, what: str):
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except OSError as error:
        raise InstanceError(
            f"{what} {path} : lecture impossible ({error.strerror}).", "io"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InstanceError(f"{what} {path} : JSON invalide ({error}).", "invalid_format") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.interviews.scheduler")
    commands = parser.add_subparsers(dest="command", required=True)
    solve_parser = commands.add_parser("solve", help="planifier une instance")
    solve_parser.add_argument("instance")
    solve_parser.add_argument("--time-limit", type=float, default=None)
    solve_parser.add_argument("--method", choices=METHODS, default="auto")
    solve_parser.add_argument("--seed", type=int, default=0)
    check_parser = commands.add_parser("check", help="vérifier une solution")
    check_parser.add_argument("instance")
    check_parser.add_argument("solution")
    bound_parser = commands.add_parser("bound", help="la borne supérieure")
    bound_parser.add_argument("instance")
    arguments = parser.parse_args(argv)
    try:
        instance = parse_instance(_read_json(arguments.instance, "Instance"))
        if arguments.command == "bound":
            print(upper_bound(instance))
            return 0
        if arguments.command == "solve":
            solution = solve(
                instance,
                method=arguments.method,
                time_limit=arguments.time_limit,
                seed=arguments.seed,
            )
            json.dump(solution, sys.stdout, ensure_ascii=False, indent=1)
            print()
            return 0
        problems = check(instance, _read_json(arguments.solution, "Solution"))
    except InstanceError as error:
        print(error.message, file=sys.stderr)
        return 2
    if problems:
        print("\n".join(problems))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
