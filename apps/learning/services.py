"""The learner's effects: retrain on the aggregated confirmed labels, re-rank the queue, store a
model version, and ask for more labels where the crowd disagrees."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import joblib
import numpy as np
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.chain.client import oracle_account, send
from apps.chain.registry import job_instance
from apps.jobs.kinds import kind_for
from apps.jobs.models import Item, Job
from apps.labeling.models import Label
from apps.learning.engine import InsufficientLabelsError, cold_start, evaluate, rank_pool, train
from apps.learning.events import ModelVersionCreated
from apps.learning.models import LearnerState, ModelVersion
from apps.learning.selectors import job_features
from apps.learning.strategies import DEFAULT_STRATEGY, Ranking
from apps.lib.events import emit
from apps.quality.selectors import JobLabels, job_labels
from apps.quality.services import infer_job_truth, store_item_aggregates
from apps.quality.truth import Truth
from apps.storage.services import store_blob

logger = logging.getLogger(__name__)

# Retraining after every label would keep a worker busy for nothing: the ranking barely moves.
RETRAIN_MIN_NEW_LABELS = 10
# Items the strategy picks as one diverse batch at the top of the queue.
RANKING_BATCH = 20
# Longer than any retrain; a worker killed half-way holds the job's lease at most this long.
RETRAIN_LEASE = timedelta(minutes=10)
# An item whose truth is this unsure once it has all the labels it asked for gets EXTRA_VOTES more,
# up to the contract's MAX_VOTES.
DISAGREEMENT_CONFIDENCE = 0.7
EXTRA_VOTES = 2
MAX_VOTES = 12
EXTEND_BATCH = 500


def _store_estimator(estimator) -> str:
    buffer = io.BytesIO()
    joblib.dump(estimator, buffer)
    return store_blob(data=buffer.getvalue(), content_type="application/x-joblib")


def _priorities(
    *, ranking: Ranking, votes: np.ndarray, confidence: np.ndarray, labels_needed: np.ndarray, is_gold: np.ndarray
) -> np.ndarray:
    """Priorities of the non-gold items (gold serving is the next-item service's own mix); higher is
    served first. Items already started but short of their labels come before the ranked pool
    (their aggregated label is what the model trains on), least confident first; then the pool in
    ranking order; complete items last."""
    n_items = len(labels_needed)
    priority = np.zeros(n_items)
    priority[ranking.indices] = np.arange(len(ranking.indices), 0, -1, dtype=np.float64)
    started = (votes > 0) & (votes < labels_needed) & ~is_gold
    priority[started] = n_items + 2.0 - confidence[started]
    return priority[~is_gold]


def _disputed(
    *, votes: np.ndarray, confidence: np.ndarray, labels_needed: np.ndarray, is_gold: np.ndarray
) -> np.ndarray:
    return ~is_gold & (votes >= labels_needed) & (labels_needed < MAX_VOTES) & (confidence < DISAGREEMENT_CONFIDENCE)


def _more_labels_where_disputed(
    *, job: Job, votes: np.ndarray, confidence: np.ndarray, labels_needed: np.ndarray, is_gold: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The items a LIVE job asks more labels for, and every item's labels_needed once asked: ranked
    with the new need, a disputed item is served again at once, not after the next retrain."""
    disputed = _disputed(votes=votes, confidence=confidence, labels_needed=labels_needed, is_gold=is_gold)
    disputed &= job.status == Job.Status.LIVE
    return disputed, np.where(disputed, np.minimum(labels_needed + EXTRA_VOTES, MAX_VOTES), labels_needed)


def _fit_and_rank(*, X, truth: Truth, is_gold: np.ndarray, n_classes: int, seed: int):
    """The model (None before two classes are labelled) and the ranking of the unlabelled pool."""
    train_rows = np.flatnonzero((truth.votes > 0) & ~is_gold)
    exclude = np.flatnonzero((truth.votes > 0) | is_gold)
    try:
        model = train(X_labeled=X[train_rows], y_labeled=truth.result.labels[train_rows], classes=range(n_classes))
    except InsufficientLabelsError:
        return None, cold_start(X_pool=X, batch_size=RANKING_BATCH, exclude=exclude, random_state=seed)
    ranking = rank_pool(
        model=model, X_pool=X, strategy=DEFAULT_STRATEGY, batch_size=RANKING_BATCH, exclude=exclude, random_state=seed
    )
    return model, ranking


def _ask_for_more_labels(*, job: Job, items: list[Item], disputed: np.ndarray) -> None:
    if job.status != Job.Status.LIVE:
        return
    pks = [items[p].pk for p in np.flatnonzero(disputed)]
    Item.objects.filter(pk__in=pks).update(labels_needed=F("labels_needed") + EXTRA_VOTES)
    Item.objects.filter(pk__in=pks, labels_needed__gt=MAX_VOTES).update(labels_needed=MAX_VOTES)
    if job.instance_address:
        # Every extended item, not only today's: a transaction that failed after an earlier commit
        # is retried here, and the reconciliation sends nothing for caps already raised.
        extended = list(Item.objects.filter(job=job, labels_needed__gt=job.redundancy).values_list("pk", flat=True))
        if extended:
            transaction.on_commit(lambda: extend_redundancy_on_chain(job_id=job.pk, item_ids=extended))


def _heldout_accuracy(*, model, X, labels: JobLabels) -> float | None:
    gold_rows = np.array(sorted(labels.gold), dtype=np.int64)
    if not gold_rows.size:
        return None
    return evaluate(model, X[gold_rows], [labels.gold[p] for p in gold_rows.tolist()])


def retrain_job(*, job_id: int) -> ModelVersion | None:
    """Train on the aggregated labels of non-gold items, score on the gold items (held out, so the
    learning curve is measured on answers no worker vote decided), rank the pool and write
    Item.priority. Before two classes are labelled there is no model: the cold-start ranking is
    written and None returned. Reads everything from the database, so a rerun after a crash simply
    redoes it. Reading and training happen outside the transaction, which holds only the writes: a
    long transaction would block the indexer (SQLite locks the whole file) and the next-item
    service's row locks."""
    job = Job.objects.get(pk=job_id)
    items = list(
        Item.objects.filter(job=job).order_by("index").only("id", "index", "is_gold", "labels_needed", "priority")
    )
    if not items:
        return None
    X = job_features(job=job)
    labels_needed = np.array([item.labels_needed for item in items])
    is_gold = np.array([item.is_gold for item in items])
    crowd_agreement = kind_for(job).crowd_agreement
    if crowd_agreement is not None:
        _rank_by_agreement(
            job=job, items=items, X=X, labels_needed=labels_needed, is_gold=is_gold, crowd_agreement=crowd_agreement
        )
        return None
    labels = job_labels(job=job)
    truth = infer_job_truth(labels=labels)
    votes, confidence = truth.votes, truth.result.confidence
    disputed, labels_needed = _more_labels_where_disputed(
        job=job, votes=votes, confidence=confidence, labels_needed=labels_needed, is_gold=is_gold
    )
    model, ranking = _fit_and_rank(X=X, truth=truth, is_gold=is_gold, n_classes=labels.n_classes, seed=job.pk)
    labelled = np.flatnonzero(truth.votes > 0)
    model_labels = dict(zip(labelled.tolist(), model.predict(X[labelled]).tolist())) if model and labelled.size else {}
    artifact_cid = _store_estimator(model.estimator) if model else ""

    with transaction.atomic():
        _write_ranking(
            job=job,
            items=items,
            ranking=ranking,
            votes=votes,
            confidence=confidence,
            labels_needed=labels_needed,
            is_gold=is_gold,
            disputed=disputed,
            ranked_at_labels=len(labels.labels),
        )
        store_item_aggregates(labels=labels, truth=truth, model_labels=model_labels)
        if model is None:
            return None
        previous = ModelVersion.objects.filter(job=job).order_by("-version").values_list("version", flat=True).first()
        model_version = ModelVersion.objects.create(
            job=job,
            version=(previous or 0) + 1,
            labels_used=len(labels.labels),
            items_used=int(((truth.votes > 0) & ~is_gold).sum()),
            heldout_accuracy=_heldout_accuracy(model=model, X=X, labels=labels),
            strategy=DEFAULT_STRATEGY,
            artifact_cid=artifact_cid,
        )
    # Announced once committed: a subscriber's failure (the stopping rule) must not lose the version.
    emit(ModelVersionCreated(job_id=job.pk, version=model_version.version))
    return model_version


def _rank_by_agreement(
    *, job: Job, items: list[Item], X, labels_needed: np.ndarray, is_gold: np.ndarray, crowd_agreement
) -> None:
    """A kind that trains no model (boxes): the crowd's agreement per item (the kind's
    crowd_agreement) takes the place of the aggregated label's confidence. Items already answered
    but short of their answers come first, least agreed first; then the unanswered pool in
    cold-start order (diverse items first); an item whose full set of answers still disagrees asks
    for more, as a class item does."""
    votes, confidence = crowd_agreement(job=job, indexes=[item.index for item in items])
    disputed, labels_needed = _more_labels_where_disputed(
        job=job, votes=votes, confidence=confidence, labels_needed=labels_needed, is_gold=is_gold
    )
    exclude = np.flatnonzero((votes > 0) | is_gold)
    ranking = cold_start(X_pool=X, batch_size=RANKING_BATCH, exclude=exclude, random_state=job.pk)
    with transaction.atomic():
        _write_ranking(
            job=job,
            items=items,
            ranking=ranking,
            votes=votes,
            confidence=confidence,
            labels_needed=labels_needed,
            is_gold=is_gold,
            disputed=disputed,
            ranked_at_labels=_confirmed_labels(job.pk),
        )


def _write_ranking(
    *,
    job: Job,
    items: list[Item],
    ranking: Ranking,
    votes: np.ndarray,
    confidence: np.ndarray,
    labels_needed: np.ndarray,
    is_gold: np.ndarray,
    disputed: np.ndarray,
    ranked_at_labels: int,
) -> None:
    """The writes of a re-rank, class or box job (inside the caller's transaction): priorities, more
    labels where disputed, and the label count the ranking reflects."""
    ranked = [item for item in items if not item.is_gold]
    priorities = _priorities(
        ranking=ranking, votes=votes, confidence=confidence, labels_needed=labels_needed, is_gold=is_gold
    )
    for item, priority in zip(ranked, priorities.tolist()):
        item.priority = priority
    Item.objects.bulk_update(ranked, ["priority"], batch_size=1000)
    _ask_for_more_labels(job=job, items=items, disputed=disputed)
    LearnerState.objects.update_or_create(job=job, defaults={"ranked_at_labels": ranked_at_labels})


def extend_redundancy_on_chain(*, job_id: int, item_ids: list[int]) -> int:
    """Raise the items' on-chain vote caps to their Item.labels_needed. Reconciles against the caps
    the contract reports, so running it twice (or after a crash) never extends twice; items with the
    same shortfall share one transaction per EXTEND_BATCH. Returns the transactions sent."""
    job = Job.objects.get(pk=job_id)
    instance = job_instance(job.instance_address)
    shortfall: dict[int, list[int]] = {}
    for index, needed in Item.objects.filter(pk__in=item_ids).values_list("index", "labels_needed"):
        _, cap = instance.functions.tally(index).call()
        if needed > cap:
            shortfall.setdefault(needed - cap, []).append(index)
    sent = 0
    for extra, indexes in shortfall.items():
        for start in range(0, len(indexes), EXTEND_BATCH):
            batch = indexes[start : start + EXTEND_BATCH]
            send(instance.functions.extendRedundancy(batch, extra), sender=oracle_account())
            sent += 1
    return sent


def _confirmed_labels(job_id: int) -> int:
    return Label.objects.filter(job_id=job_id, status=Label.Status.CONFIRMED).count()


def _retrain_due(job_id: int) -> bool:
    ranked_at = LearnerState.objects.filter(job_id=job_id).values_list("ranked_at_labels", flat=True).first()
    return ranked_at is None or _confirmed_labels(job_id) - ranked_at >= RETRAIN_MIN_NEW_LABELS


def retrain_if_due(*, job_id: int) -> int:
    """What the worker runs per retrain message: retrain the live job when RETRAIN_MIN_NEW_LABELS
    confirmed labels arrived since the last ranking (or it was never ranked: the cold start), at most
    one retrain per job at a time. A trigger arriving while a retrain runs sets `rerun`, and the
    running one checks again when it finishes, so bursts of triggers coalesce. Returns the retrains
    run."""
    LearnerState.objects.get_or_create(job_id=job_id)
    now = timezone.now()
    leased = LearnerState.objects.filter(
        Q(leased_until__isnull=True) | Q(leased_until__lt=now), job_id=job_id, job__status=Job.Status.LIVE
    ).update(leased_until=now + RETRAIN_LEASE, rerun=False)
    if not leased:
        LearnerState.objects.filter(job_id=job_id).update(rerun=True)
        return 0
    runs = 0
    try:
        while _retrain_due(job_id):
            retrain_job(job_id=job_id)
            runs += 1
            if not LearnerState.objects.filter(job_id=job_id, rerun=True).update(rerun=False):
                break
    finally:
        LearnerState.objects.filter(job_id=job_id).update(leased_until=None)
    return runs
