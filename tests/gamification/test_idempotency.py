"""Awarding is a projection of confirmed labels: a confirmation handled twice awards once, and labels
a reorganisation removes take their points, badges and tier with them."""

import pytest

from apps.chain.models import ChainEvent
from apps.gamification import handlers
from apps.gamification.models import Badge, Tier, WorkerProgress
from apps.gamification.services import refresh_progress
from apps.labeling.confirmation import confirm_labels
from apps.labeling.events import LabelsConfirmed, VoteKind
from apps.labeling.models import Label
from tests.factories import make_user
from tests.gamification.builders import labelled

pytestmark = pytest.mark.django_db


def labels_submitted(worker) -> LabelsConfirmed:
    return LabelsConfirmed(job_id=0, worker_ids=(worker.pk,), kind=VoteKind.CLASS)


def test_a_confirmation_delivered_twice_awards_once(django_capture_on_commit_callbacks, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    worker = make_user("0x" + "11" * 20)
    labelled(worker, plain=100)

    with django_capture_on_commit_callbacks() as first:
        handlers.refresh_labeler(labels_submitted(worker))
    with django_capture_on_commit_callbacks() as second:
        handlers.refresh_labeler(labels_submitted(worker))

    assert WorkerProgress.objects.get(worker=worker).points == 1000
    assert Badge.objects.filter(worker=worker).count() == 2  # first label, 100 labels
    assert len(first) == 1 and second == []  # one toast, not two


def test_a_reorganisation_that_removes_labels_takes_their_awards_back():
    worker = make_user("0x" + "12" * 20)
    labelled(worker, plain=36, gold_right=10)
    kept = labelled(worker, plain=60)
    assert refresh_progress(worker_id=worker.pk).tier == Tier.SILVER
    assert Badge.objects.filter(worker=worker, kind=Badge.Kind.LABELS_100).exists()

    # The labels of an orphaned block are no longer confirmed (or gone altogether).
    Label.objects.exclude(job=kept).filter(worker=worker).update(status=Label.Status.PENDING)
    change = refresh_progress(worker_id=worker.pk)

    assert (change.previous_tier, change.tier, change.points) == (Tier.SILVER, Tier.BRONZE, 600)
    assert change.lost == [Badge.Kind.LABELS_100]
    assert set(Badge.objects.filter(worker=worker).values_list("kind", flat=True)) == {Badge.Kind.FIRST_LABEL}


def test_an_unknown_wallet_in_an_event_is_ignored():
    handlers.refresh_labeler(labels_submitted(make_user("0x" + "13" * 20)))
    event = ChainEvent(name="LabelsSubmitted", address="0x" + "cd" * 20, args={"worker": "0x" + "14" * 20})
    confirm_labels(event)  # confirms nothing, so announces nobody to refresh
    assert not WorkerProgress.objects.filter(worker__address="0x" + "14" * 20).exists()
