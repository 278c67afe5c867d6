"""Domain events: handlers of exactly the emitted type run, in the caller's transaction, once each
however often they were subscribed; a handler that raises rolls the fact back with it."""

from dataclasses import FrozenInstanceError, dataclass

import pytest
from django.db import transaction

from apps.jobs.events import JobStopped, JobWentLive
from apps.labeling.events import LabelsConfirmed, LabelsUnconfirmed
from apps.learning.events import ModelVersionCreated
from apps.lib import events
from apps.lib.events import Event, emit, subscribe, subscribers
from apps.rewards.events import SettlementSettled
from tests.factories import make_job, make_user


@dataclass(frozen=True)
class Happened(Event):
    what: str


@dataclass(frozen=True)
class HappenedToo(Happened):
    pass


@pytest.fixture
def own_registry(monkeypatch):
    """The app's subscriptions stay as they are; this test's come and go."""
    monkeypatch.setattr(events, "_subscribers", {})


def test_subscribers_of_the_type_run_once_each_in_order(own_registry):
    seen = []
    first, second = (lambda e: seen.append(("first", e.what))), (lambda e: seen.append(("second", e.what)))
    subscribe(Happened, first)
    subscribe(Happened, second)
    subscribe(Happened, first)  # a second ready() changes nothing

    emit(Happened("a"))
    emit(HappenedToo("b"))  # another type, even a subclass: not theirs

    assert seen == [("first", "a"), ("second", "a")]
    assert subscribers(Happened) == (first, second)


def test_an_event_is_a_frozen_value_and_only_events_are_subscribed(own_registry):
    with pytest.raises(FrozenInstanceError):
        Happened("a").what = "b"
    with pytest.raises(TypeError, match="not an Event"):
        subscribe(dict, lambda e: None)


@pytest.mark.django_db
def test_handlers_write_in_the_emitters_transaction(own_registry):
    job = make_job(requester=make_user("0x" + "aa" * 20), num_items=1)

    def rename(event):
        type(job).objects.filter(pk=job.pk).update(name=event.what)

    def refuse(event):
        raise RuntimeError("no")

    subscribe(Happened, rename)
    subscribe(HappenedToo, rename)
    subscribe(HappenedToo, refuse)
    with transaction.atomic():
        emit(Happened("renamed"))
    with pytest.raises(RuntimeError), transaction.atomic():
        emit(HappenedToo("lost"))  # the refusal rolls the rename back

    job.refresh_from_db()
    assert job.name == "renamed"


def test_the_apps_subscribe_each_concern_once():
    """The real registrations, as AppConfig.ready left them: who reacts to what."""

    def names(event_type):
        return sorted(f"{h.__module__}.{h.__name__}" for h in subscribers(event_type))

    assert names(LabelsConfirmed) == [
        "apps.cockpit.consumers.push_for_job_event",
        "apps.gamification.handlers.refresh_labeler",
        "apps.learning.handlers.schedule_retrain",
        "apps.rewards.handlers.check_budget_spent",
        "apps.rewards.handlers.resume_waiting_settlement",
    ]
    assert names(LabelsUnconfirmed) == [
        "apps.cockpit.consumers.push_for_job_event",
        "apps.gamification.handlers.refresh_labeler",
    ]
    assert names(JobStopped) == ["apps.cockpit.consumers.push_for_job_event", "apps.rewards.handlers.settle_stopped"]
    assert names(ModelVersionCreated) == [
        "apps.cockpit.consumers.push_for_job_event",
        "apps.rewards.handlers.check_target_accuracy",
    ]
    assert names(SettlementSettled) == [
        "apps.cockpit.consumers.push_for_job_event",
        "apps.gamification.handlers.refresh_job_labelers",
    ]
    assert names(JobWentLive) == ["apps.cockpit.consumers.push_for_job_event"]
