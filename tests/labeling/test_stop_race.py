"""A stop right after labels were acknowledged pays everyone (issue 16): the settlement waits for
the batches in flight at the stop (stored but not sent, sent but not confirmed) to become final,
within REWARDS_SETTLEMENT_BATCH_WAIT_SECONDS, and every label confirmed meanwhile is paid. Before,
it settled on the labels confirmed at the stop: payout root over nobody, both labelers paid 0."""

from datetime import timedelta

from django.utils import timezone

from apps.jobs.services import stop_live_job
from apps.labeling.models import Label, LabelBatch
from apps.labeling.sending import send_batch, sweep_batches
from apps.rewards.models import Payout, Settlement
from apps.rewards.settlement import settle_job
from tests.chain_fixtures import stop_on_chain
from tests.labeling.batching import labels_for, post_batch, serve, signed_batch
from tests.labeling.conftest import index_and_handle


def two_labelers_in_flight(chain_job, admitted, dev_accounts):
    """Two labelers' batches acknowledged, one sent (not indexed yet), one not even sent."""
    first, second = admitted(chain_job, dev_accounts[3]), admitted(chain_job, dev_accounts[4])
    for labeler in (first, second):
        # Answer times as people's vary (even ones are too regular for integrity screening).
        labels = [
            {**label, "answer_ms": 900 + 650 * (n % 4)}
            for n, label in enumerate(labels_for(serve(labeler, chain_job, 10)))
        ]
        assert post_batch(labeler, chain_job, signed_batch(labeler, chain_job, labels), send=False).status_code == 201
    sent, unsent = LabelBatch.objects.order_by("pk")
    send_batch(batch_id=sent.pk)
    return first, second


def test_settlement_after_a_stop_waits_for_batches_in_flight_and_pays_every_confirmed_label(
    chain_job, admitted, dev_accounts, w3
):
    first, second = two_labelers_in_flight(chain_job, admitted, dev_accounts)
    assert stop_live_job(job_id=chain_job.pk)

    waiting = settle_job(job_id=chain_job.pk)
    assert waiting.step == Settlement.Step.WAITING  # shown on the dashboard as its step
    assert not Payout.objects.exists()

    sweep_batches()  # the worker sends the other batch: labelling is open on chain until the requester's stop()
    index_and_handle(w3)
    assert Label.objects.filter(status=Label.Status.CONFIRMED).count() == 20

    stop_on_chain(chain_job)
    settled = settle_job(job_id=chain_job.pk)
    assert settled.step == Settlement.Step.DONE
    paid = dict(Payout.objects.values_list("worker__address", "amount"))
    assert set(paid) == {first.account.address, second.account.address}
    assert all(amount > 0 for amount in paid.values())


def test_the_wait_is_bounded(chain_job, admitted, dev_accounts, settings):
    two_labelers_in_flight(chain_job, admitted, dev_accounts)
    stop_live_job(job_id=chain_job.pk)
    assert settle_job(job_id=chain_job.pk).step == Settlement.Step.WAITING
    past_the_bound = timezone.now() - timedelta(seconds=settings.REWARDS_SETTLEMENT_BATCH_WAIT_SECONDS + 1)
    Settlement.objects.update(started_at=past_the_bound)
    stop_on_chain(chain_job)
    assert settle_job(job_id=chain_job.pk).step != Settlement.Step.WAITING
