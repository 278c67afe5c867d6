"""Progress recomputed from confirmed labels: points, agreement with final truth, gold accuracy,
streaks, and the badge boundaries as the database sees them."""

import pytest

from apps.gamification import handlers
from apps.gamification.models import Badge, Tier, WorkerProgress
from apps.gamification.selectors import progress
from apps.gamification.services import refresh_progress
from apps.labeling.models import Label
from apps.quality.models import ItemAggregate
from apps.rewards.events import SettlementSettled
from apps.rewards.models import Settlement
from tests.factories import make_labels, make_user
from tests.gamification.builders import labelled

pytestmark = pytest.mark.django_db
K = Badge.Kind


def badges(worker) -> set[str]:
    return set(Badge.objects.filter(worker=worker).values_list("kind", flat=True))


def test_points_count_confirmed_labels_and_right_gold_answers():
    worker = make_user("0x" + "01" * 20)
    labelled(worker, plain=3, gold_right=2, gold_wrong=1)
    job = labelled(worker, plain=2)
    Label.objects.filter(job=job).update(status=Label.Status.PENDING)  # not on chain yet: no points

    change = refresh_progress(worker_id=worker.pk)

    record = WorkerProgress.objects.get(worker=worker)
    assert (record.labels, record.gold_answers, record.gold_correct, record.agreeing) == (6, 3, 2, 2)
    assert change.points == record.points == 6 * 10 + 2 * 5
    assert change.earned == [K.FIRST_LABEL] and badges(worker) == {K.FIRST_LABEL}


def test_agreeing_with_final_truth_scores_only_once_the_job_settled():
    worker = make_user("0x" + "02" * 20)
    job = labelled(worker, plain=4, settled=False)  # every answer is class 0
    for n, item in enumerate(job.items.order_by("index")):  # truth: 0, 1, 0, 1
        ItemAggregate.objects.create(item=item, label=n % 2, confidence=0.9, method="mv", votes=3)

    assert refresh_progress(worker_id=worker.pk).points == 40  # live aggregates are not final
    settlement = Settlement.objects.create(job=job, step=Settlement.Step.COMPUTED)
    assert refresh_progress(worker_id=worker.pk).points == 40  # nor computed ones: the job is not settled
    Settlement.objects.filter(pk=settlement.pk).update(step=Settlement.Step.DONE)
    assert refresh_progress(worker_id=worker.pk).points == 40 + 2 * 5


def test_honeypots_show_in_no_figure_before_the_job_is_settled():
    """Issue 11: right after a label, points and gold counters must not tell whether its item was a
    honeypot or whether the answer was right (it used to be +15 against +10 at once)."""
    worker = make_user("0x" + "0b" * 20)
    job = labelled(worker, plain=1, gold_right=2, gold_wrong=1, settled=False)
    change = refresh_progress(worker_id=worker.pk)
    record = WorkerProgress.objects.get(worker=worker)
    assert (record.labels, record.gold_answers, record.gold_correct, record.agreeing) == (4, 0, 0, 0)
    assert change.points == 4 * 10  # every label alike
    assert progress(worker=worker)["gold_answers"] == 0

    Settlement.objects.create(job=job, step=Settlement.Step.DONE)
    handlers.refresh_job_labelers(SettlementSettled(job_id=job.pk))  # what settling announces
    record.refresh_from_db()
    assert (record.gold_answers, record.gold_correct, record.agreeing, record.points) == (3, 2, 2, 4 * 10 + 2 * 5)


def test_hundred_labels_badge_at_the_hundredth_confirmed_label():
    worker = make_user("0x" + "03" * 20)
    labelled(worker, plain=99)
    refresh_progress(worker_id=worker.pk)
    assert K.LABELS_100 not in badges(worker)

    labelled(worker, plain=1)
    assert refresh_progress(worker_id=worker.pk).earned == [K.LABELS_100]


def test_sharp_eye_badge_at_19_of_20_gold_and_not_at_18():
    careful, careless = make_user("0x" + "04" * 20), make_user("0x" + "05" * 20)
    labelled(careful, gold_right=19, gold_wrong=1)
    labelled(careless, gold_right=18, gold_wrong=2)

    refresh_progress(worker_id=careful.pk)
    refresh_progress(worker_id=careless.pk)

    assert K.SHARP_EYE in badges(careful) and K.SHARP_EYE not in badges(careless)


def test_seven_day_streak_needs_seven_consecutive_days():
    worker = make_user("0x" + "06" * 20)
    for day in (0, 1, 2, 3, 4, 5):
        labelled(worker, plain=1, days_ago=day)
    labelled(worker, plain=1, days_ago=7)  # a gap at 6
    refresh_progress(worker_id=worker.pk)
    assert WorkerProgress.objects.get(worker=worker).best_streak == 6 and K.STREAK_7 not in badges(worker)

    labelled(worker, plain=1, days_ago=6)
    change = refresh_progress(worker_id=worker.pk)
    assert WorkerProgress.objects.get(worker=worker).best_streak == 8 and change.earned == [K.STREAK_7]


def test_tier_rises_with_points_and_gold_accuracy():
    worker = make_user("0x" + "07" * 20)
    labelled(worker, plain=36, gold_right=10)  # 460 + 50 = 510 points, 100% over 10 gold
    change = refresh_progress(worker_id=worker.pk)
    assert (change.previous_tier, change.tier) == (Tier.BRONZE, Tier.SILVER)


def test_anonymous_mode_labels_are_never_credited_to_a_wallet():
    worker = make_user("0x" + "08" * 20)
    labelled(worker, plain=5, mode="anon")
    assert refresh_progress(worker_id=worker.pk).points == 0


def test_a_settled_job_rescores_its_labelers():
    first, second = make_user("0x" + "09" * 20), make_user("0x" + "0a" * 20)
    job = labelled(first, plain=2)
    make_labels(job=job, worker=second, labels={0: 1, 1: 1})
    for item in job.items.all():  # truth: class 0 everywhere
        ItemAggregate.objects.create(item=item, label=0, confidence=0.9, method="mv", votes=2)

    handlers.refresh_job_labelers(SettlementSettled(job_id=job.pk))

    points = dict(WorkerProgress.objects.values_list("worker__address", "points"))
    assert points == {first.address: 2 * 15, second.address: 2 * 10}
