"""A stopped job whose "settle" message was lost (the worker was down, the message expired) is
settled by the settlement worker's sweep as soon as a worker starts, with no message at all; a job
whose settlement fails does not hold up the others."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from apps.jobs.models import Job
from apps.rewards import settlement as rewards_settlement
from apps.rewards.models import Settlement
from apps.rewards.scheduling import SETTLEMENT_CHANNEL
from apps.rewards.settlement import settle_stopped_jobs
from apps.runtime.stack import EagerWorker
from crowdal_site.asgi import application
from tests.chain_fixtures import stop_on_chain
from tests.factories import make_job as make_db_job
from tests.factories import make_user


def stop_without_message(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.STOPPED)  # as if the settle message was lost
    stop_on_chain(job)


@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_settles_a_stopped_job_without_any_message(w3, labelled_job, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    job, _, _ = labelled_job
    stop_without_message(job)

    async def run_worker_until_settled() -> None:
        worker = EagerWorker(application=application, channels=[SETTLEMENT_CHANNEL], channel_layer=get_channel_layer())
        task = asyncio.ensure_future(worker.arun())
        try:
            deadline = asyncio.get_running_loop().time() + 60
            while await database_sync_to_async(lambda: Job.objects.get(pk=job.pk).status)() != Job.Status.SETTLED:
                assert asyncio.get_running_loop().time() < deadline, "the worker did not settle the job"
                await asyncio.sleep(0.1)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    asyncio.run(run_worker_until_settled())

    settlement = Settlement.objects.get(job=job)
    assert settlement.step == Settlement.Step.DONE
    assert job.payouts.count() > 0


def test_one_failing_settlement_does_not_hold_up_the_others(db, monkeypatch):
    requester = make_user("0x" + "a1" * 20)
    broken, fine = (make_db_job(requester=requester, status=Job.Status.STOPPED) for _ in range(2))
    make_db_job(requester=requester, status=Job.Status.LIVE)  # not stopped: never swept
    attempted = []

    def settle_job(*, job_id: int) -> Settlement:
        attempted.append(job_id)
        if job_id == broken.pk:
            raise ConnectionError("chain away")
        return Settlement(job_id=job_id, step=Settlement.Step.DONE)

    monkeypatch.setattr(rewards_settlement, "settle_job", settle_job)

    assert settle_stopped_jobs() == [fine.pk]
    assert attempted == [broken.pk, fine.pk]
