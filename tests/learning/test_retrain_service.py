"""The learner's Django side: retrain writes priorities, aggregates and a model version; triggers
coalesce; disagreement asks for more labels."""

import io
from datetime import timedelta

import joblib
import numpy as np
import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from apps.cockpit.consumers import dashboard_group
from apps.jobs.models import Item, Job
from apps.labeling.events import LabelsConfirmed, VoteKind
from apps.learning import services
from apps.learning.consumers import retrain_instance
from apps.learning.handlers import LEARNER_CHANNEL, schedule_retrain
from apps.learning.models import LearnerState, ModelVersion
from apps.learning.selectors import job_features
from apps.learning.services import retrain_if_due, retrain_job
from apps.quality.selectors import item_aggregates
from apps.storage.selectors import read_blob
from tests.factories import make_job, make_labels, make_user
from tests.live_support import memory_layer, open_page, received  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

POSITIVE = ["good", "great", "happy", "lovely", "excellent", "fine", "superb", "nice"]
NEGATIVE = ["bad", "awful", "sad", "terrible", "poor", "horrid", "dreadful", "nasty"]
INSTANCE = "0x" + "ab" * 20


def sentiment_job(*, num_items: int = 40, gold: dict[int, int] | None = None) -> Job:
    """Item i is positive (class 0) when i is even, negative (class 1) when odd."""
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(POSITIVE if i % 2 == 0 else NEGATIVE, size=5)) for i in range(num_items)]
    return make_job(
        requester=make_user("0x" + "aa" * 20),
        num_items=num_items,
        texts=texts,
        class_names=("positive", "negative"),
        gold=gold if gold is not None else {i: i % 2 for i in range(30, 40)},
        status=Job.Status.LIVE,
        instance_address=INSTANCE,
    )


def workers(n: int) -> list:
    return [make_user(f"0x{k + 1:040x}") for k in range(n)]


def label_truthfully(job: Job, crowd: list, indexes) -> None:
    for worker in crowd:
        make_labels(job=job, worker=worker, labels={i: i % 2 for i in indexes})


def test_retrain_stores_a_version_with_heldout_accuracy_and_ranks_the_pool():
    job = sentiment_job()
    label_truthfully(job, workers(2), [*range(12), *range(30, 40)])

    version = retrain_job(job_id=job.pk)

    assert version.version == 1 and version.strategy == "diverse_margin"
    assert version.labels_used == 44 and version.items_used == 12  # gold items are held out
    assert version.heldout_accuracy == 1.0
    estimator = joblib.load(io.BytesIO(read_blob(version.artifact_cid)))
    assert estimator.predict(job_features(job=job)[:4]).tolist() == [0, 1, 0, 1]
    priority = dict(Item.objects.filter(job=job).values_list("index", "priority"))
    pool = range(12, 30)
    assert sorted(priority[i] for i in pool) == list(map(float, range(1, 19)))  # every pool item ranked
    assert all(priority[i] > 18 for i in range(12))  # started items (2 of 3 labels) come first
    aggregates = item_aggregates(job)
    assert len(aggregates) == 22
    assert job.items.get(index=5).aggregate.model_label == 1

    assert retrain_job(job_id=job.pk).version == 2


def test_a_stored_model_version_tells_the_dashboard(memory_layer, django_capture_on_commit_callbacks):  # noqa: F811
    job = sentiment_job()
    dashboard = open_page(memory_layer, dashboard_group(job.pk))
    with django_capture_on_commit_callbacks(execute=True):
        assert retrain_job(job_id=job.pk) is None  # the cold start: a ranking, no model version
    assert received(memory_layer, dashboard) == []
    label_truthfully(job, workers(2), [*range(12), *range(30, 40)])

    with django_capture_on_commit_callbacks(execute=True):
        assert retrain_job(job_id=job.pk).version == 1
    assert received(memory_layer, dashboard) == ["dashboard.changed"]


def test_before_two_classes_the_cold_start_ranks_the_pool_without_a_version():
    job = sentiment_job()
    assert retrain_if_due(job_id=job.pk) == 1
    assert not ModelVersion.objects.filter(job=job).exists()
    assert LearnerState.objects.get(job=job).ranked_at_labels == 0
    priorities = list(Item.objects.filter(job=job, is_gold=False).values_list("priority", flat=True))
    assert sorted(priorities) == list(map(float, range(1, 31)))
    assert retrain_if_due(job_id=job.pk) == 0  # nothing new since


def test_triggers_coalesce_into_one_retrain_per_batch_of_new_labels():
    job = sentiment_job()
    crowd = workers(2)
    label_truthfully(job, crowd, range(6))
    assert retrain_if_due(job_id=job.pk) == 1
    assert retrain_if_due(job_id=job.pk) == 0  # fewer than RETRAIN_MIN_NEW_LABELS new labels

    label_truthfully(job, crowd, range(6, 12))
    LearnerState.objects.filter(job=job).update(leased_until=timezone.now() + timedelta(minutes=5))
    assert retrain_if_due(job_id=job.pk) == 0  # another retrain is in flight: it will rerun
    assert LearnerState.objects.get(job=job).rerun

    # That worker died: once its lease lapses the next trigger retrains from the database.
    LearnerState.objects.filter(job=job).update(leased_until=timezone.now() - timedelta(seconds=1))
    assert retrain_if_due(job_id=job.pk) == 1
    assert ModelVersion.objects.filter(job=job).count() == 2
    assert LearnerState.objects.get(job=job).leased_until is None


def test_handler_sends_a_retrain_message_after_commit_and_duplicates_retrain_once(
    settings, django_capture_on_commit_callbacks
):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    job = sentiment_job()
    label_truthfully(job, workers(2), [*range(12), *range(30, 40)])
    event = LabelsConfirmed(job_id=job.pk, worker_ids=(), kind=VoteKind.CLASS)
    layer = get_channel_layer()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        schedule_retrain(event)
        schedule_retrain(event)
    assert layer.channels == {}  # nothing before the commit
    for callback in callbacks:
        callback()
    messages = [async_to_sync(layer.receive)(LEARNER_CHANNEL) for _ in callbacks]
    assert messages == [{"type": "learning.retrain", "instance": job.instance_address}] * 2

    assert [retrain_instance(m["instance"]) for m in messages] == [1, 0]
    assert ModelVersion.objects.filter(job=job).count() == 1


def test_disagreement_asks_for_more_labels_up_to_the_cap(monkeypatch):
    job = sentiment_job()
    a, b, c = workers(3)
    label_truthfully(job, [a, b, c], range(12))
    Item.objects.filter(job=job, index=20).update(labels_needed=2)
    d, e = workers(5)[3:]
    make_labels(job=job, worker=d, labels={20: 0})
    make_labels(job=job, worker=e, labels={20: 1})  # two newcomers split: a coin flip
    make_labels(job=job, worker=a, labels={22: 0})  # unsure too, but still short of its labels

    retrain_job(job_id=job.pk)

    needed = dict(Item.objects.filter(job=job).values_list("index", "labels_needed"))
    assert needed[20] == 2 + services.EXTRA_VOTES
    assert needed[0] == 3  # unanimous
    assert needed[22] == 3

    monkeypatch.setattr(services, "MAX_VOTES", 3)
    Item.objects.filter(job=job, index=24).update(labels_needed=2)
    f, g = workers(7)[5:]
    make_labels(job=job, worker=f, labels={24: 0})
    make_labels(job=job, worker=g, labels={24: 1})
    retrain_job(job_id=job.pk)
    assert Item.objects.get(job=job, index=24).labels_needed == 3  # 2 + EXTRA_VOTES, capped


def test_reaching_the_target_accuracy_stops_the_job():
    job = sentiment_job()
    Job.objects.filter(pk=job.pk).update(stopping_rule=Job.StoppingRule.TARGET_ACCURACY, target_accuracy=0.9)
    label_truthfully(job, workers(2), range(12))

    assert retrain_if_due(job_id=job.pk) == 1

    job.refresh_from_db()
    assert job.status == Job.Status.STOPPED


def test_disputed_items_get_their_extra_votes_on_chain(request, django_capture_on_commit_callbacks):
    chain_job = request.getfixturevalue("make_job")(num_items=40, num_classes=2, redundancy=2)
    job = sentiment_job()
    Job.objects.filter(pk=job.pk).update(instance_address=chain_job.instance.address)
    Item.objects.filter(job=job).update(labels_needed=2)
    a, b, c, d = workers(4)
    label_truthfully(job, [a, b], range(12))
    make_labels(job=job, worker=c, labels={20: 0, 21: 0})
    make_labels(job=job, worker=d, labels={20: 1, 21: 1})

    with django_capture_on_commit_callbacks(execute=True):
        retrain_job(job_id=job.pk)

    caps = [chain_job.instance.functions.tally(i).call()[1] for i in (0, 20, 21)]
    assert caps == [2, 2 + services.EXTRA_VOTES, 2 + services.EXTRA_VOTES]
    every_item = list(job.items.values_list("pk", flat=True))
    assert services.extend_redundancy_on_chain(job_id=job.pk, item_ids=every_item) == 0  # caps already raised
