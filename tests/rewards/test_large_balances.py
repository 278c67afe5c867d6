"""A labeler's balances are exact integers of base units on every database: SQLite's SUM is a 64-bit
integer and overflowed above ~9.22 CROWD (2^63 wei), which took the rewards page down."""

import pytest

from apps.jobs.models import Job
from apps.rewards.models import Payout
from apps.rewards.selectors import worker_balances
from tests.factories import make_job, make_labels, make_user

TOKEN = 10**18
ABOVE_INT64 = 2**63 + 12345  # wei: more than a 64-bit integer holds


@pytest.mark.postgres_too
@pytest.mark.django_db
def test_balances_above_two_to_the_63_are_summed_exactly():
    requester, worker = make_user("0x" + "aa" * 20), make_user("0x" + "01" * 20)
    cheap = make_job(requester=requester, num_items=3, status=Job.Status.LIVE, budget=100 * TOKEN)
    dear = make_job(
        requester=requester, num_items=3, status=Job.Status.LIVE, budget=10 * ABOVE_INT64, price_per_label=ABOVE_INT64
    )
    make_labels(job=cheap, worker=worker, labels={0: 1, 1: 2})
    make_labels(job=dear, worker=worker, labels={0: 1, 1: 0, 2: 1}, status="pending")
    settled = [
        make_job(requester=requester, num_items=1, status=Job.Status.SETTLED, budget=10 * ABOVE_INT64) for _ in range(3)
    ]
    for n, job in enumerate(settled):
        Payout.objects.create(job=job, worker=worker, index=0, amount=ABOVE_INT64 + n)

    balances = worker_balances(worker=worker, with_chain=False)

    assert balances["pending"] == 2 * int(cheap.price_per_label) + 3 * ABOVE_INT64
    assert balances["claimable"] == 3 * ABOVE_INT64 + 3
