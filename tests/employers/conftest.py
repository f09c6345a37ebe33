"""The employers tests use the participation fixtures of the interviews tests."""

from tests.interviews.conftest import (  # noqa: F401
    make_participation,
    make_registration,
    staff_user,
)
