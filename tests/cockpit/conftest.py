"""The cockpit's tests sign in as the jobs tests' requester and stranger."""

from tests.jobs.conftest import requester, stranger  # noqa: F401  (fixtures)
