"""A reorganisation orphaning a Claimed event makes the payout claimable again (only that claim's)."""

import pytest

from apps.jobs.models import Job
from apps.rewards.claims import mark_claimed, unmark_claimed
from apps.rewards.models import Payout
from tests.factories import make_job, make_user

pytestmark = pytest.mark.django_db

INSTANCE = "0x" + "cd" * 20
CLAIM_TX, OTHER_TX = "0x" + "ab" * 32, "0x" + "cd" * 32


def test_an_orphaned_claim_is_claimable_again():
    job = make_job(requester=make_user("0x" + "aa" * 20), num_items=2, status=Job.Status.SETTLED,
                   instance_address=INSTANCE)  # fmt: skip
    for index, worker in enumerate((make_user("0x" + "01" * 20), make_user("0x" + "02" * 20))):
        Payout.objects.create(job=job, worker=worker, index=index, amount=10**18, proof=[])
    mark_claimed(instance=INSTANCE, index=0, tx_hash=CLAIM_TX)
    mark_claimed(instance=INSTANCE, index=1, tx_hash=OTHER_TX)

    assert unmark_claimed(instance=INSTANCE, index=0, tx_hash=OTHER_TX) == 0  # not that claim's transaction
    assert unmark_claimed(instance=INSTANCE, index=0, tx_hash=CLAIM_TX) == 1

    claimed = dict(Payout.objects.values_list("index", "claim_tx"))
    assert claimed == {0: "", 1: OTHER_TX}
    assert Payout.objects.get(index=0).claimed_at is None
