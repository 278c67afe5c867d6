"""ws/jobs/<id>/: the requester's dashboard of one job, live.

Whatever changes a job's numbers calls `push_dashboard` (the domain events of a job going live, labels,
stops, model versions and settlements are subscribed in CockpitConfig.ready); it goes once the change
has committed.
The push is only a notice on the job's group; each open dashboard recomputes the numbers itself, at
most once per DASHBOARD_PUSH_SECONDS, so a burst of events costs one recomputation a second per open
page, and the last event of a burst is never lost (a notice arriving while throttled leads to one
more push)."""

from __future__ import annotations

import asyncio
import math
from typing import Protocol

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.chain.models import ChainEvent
from apps.cockpit.dashboard import dashboard
from apps.jobs.models import Job
from apps.jobs.selectors import is_requester_of
from apps.lib.live import Group, send_on_commit

DASHBOARD_PUSH_SECONDS = 1.0
NOT_YOURS = 4403


def dashboard_group(job_id: int) -> str:
    return f"job-dashboard-{job_id}"


def push_dashboard(*, job_id: int) -> None:
    """Tell the job's open dashboards, once the change is committed (a push before the commit would
    show the old numbers), that its numbers changed."""
    send_on_commit(Group(dashboard_group(job_id)), {"type": "dashboard.changed"})


class NamesAJob(Protocol):
    job_id: int


def push_for_job_event(event: NamesAJob) -> None:
    """Domain events naming a job (LabelsConfirmed/Unconfirmed, JobStopped, ModelVersionCreated,
    SettlementSettled): its numbers changed."""
    push_dashboard(job_id=event.job_id)


def push_for_event(event: ChainEvent) -> None:
    """Chain handler (PayoutRootPosted, Refunded), from the job's instance."""
    job_id = Job.objects.filter(instance_address__iexact=event.address).values_list("pk", flat=True).first()
    if job_id is not None:
        push_dashboard(job_id=job_id)


def dashboard_json(job_id: int) -> dict:
    return dashboard(job=Job.objects.get(pk=job_id)).as_json()


class JobDashboardConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.job_id = int(self.scope["url_route"]["kwargs"]["job_id"])
        user = self.scope.get("user")
        # One refusal for anonymous users, strangers and missing jobs: a job's existence is not revealed.
        if (
            user is None
            or not user.is_authenticated
            or not await database_sync_to_async(is_requester_of)(job_id=self.job_id, user=user)
        ):
            await self.close(code=NOT_YOURS)
            return
        self.group = dashboard_group(self.job_id)
        self.stale = False
        self.sent_at = -math.inf
        self.refresher: asyncio.Task | None = None
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            if self.refresher is not None:
                self.refresher.cancel()

    async def dashboard_changed(self, message: dict) -> None:
        self.stale = True
        if self.refresher is None or self.refresher.done():
            self.refresher = asyncio.create_task(self._refresh())

    async def _refresh(self) -> None:
        loop = asyncio.get_running_loop()
        while self.stale:
            await asyncio.sleep(max(0.0, self.sent_at + DASHBOARD_PUSH_SECONDS - loop.time()))
            self.stale = False  # notices from here on need a newer computation
            await self.send_json(await database_sync_to_async(dashboard_json)(self.job_id))
            self.sent_at = loop.time()
