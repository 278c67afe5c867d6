"""A job labelled on anvil by four workers (the settlement tests' crowd), stopped and settled, with
two of its three payouts claimed and the rest of the escrow refunded."""

from dataclasses import dataclass

import pytest

from apps.chain.client import send
from apps.jobs.services import stop_live_job
from apps.rewards.models import Payout
from apps.rewards.settlement import settle_job
from tests.chain_fixtures import stop_on_chain
from tests.rewards.conftest import label_job_on_chain


@dataclass(frozen=True)
class SettledJob:
    job: object
    instance: object
    workers: list  # careful, careful2, sloppy, spammer
    claimed: int  # total claimed


@pytest.fixture
def settled_job(w3, make_job, roles, settings) -> SettledJob:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    job, chain_job, workers = label_job_on_chain(w3=w3, make_job=make_job, roles=roles)
    stop_live_job(job_id=job.pk)
    stop_on_chain(job)
    settle_job(job_id=job.pk)
    claimed = 0
    for account in workers[:2]:
        payout = Payout.objects.get(job=job, worker__address=account.address)
        send(chain_job.instance.functions.claim(payout.index, int(payout.amount), payout.proof), sender=account)
        claimed += int(payout.amount)
    send(chain_job.instance.functions.refund(), sender=roles.requester)
    job.refresh_from_db()
    return SettledJob(job=job, instance=chain_job.instance, workers=workers, claimed=claimed)
