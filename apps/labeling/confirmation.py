"""The labeling app's chain-event handlers: LabelsSubmitted confirms label batches (and records labels
sent without the platform, under the API's rules: services.ChainLabelRules); its undo, after a
reorganisation, puts them back to pending. Each announces what it changed (LabelsConfirmed /
LabelsUnconfirmed); box votes reuse both steps."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from apps.chain.labels import unpack_labels
from apps.chain.models import ChainEvent
from apps.jobs.kinds import kind_for
from apps.jobs.models import Item, Job
from apps.labeling import services
from apps.labeling.events import LabelsConfirmed, LabelsUnconfirmed, VoteKind
from apps.labeling.models import ItemLease, Label, LabelBatch
from apps.labeling.services import CONFIRMED
from apps.lib.events import emit

User = get_user_model()


def confirm_labels(event: ChainEvent) -> None:
    """LabelsSubmitted handler."""
    if (batch := confirm_batch(event)) is not None:
        emit(LabelsConfirmed(job_id=batch.job_id, worker_ids=(batch.worker_id,), kind=VoteKind.CLASS))


def unconfirm_labels(event: ChainEvent) -> None:
    """Undo of confirm_labels."""
    unconfirm_batches(event, kind=VoteKind.CLASS)


def confirm_batch(event: ChainEvent) -> LabelBatch | None:
    """The chain is the source of truth. The matching pending batch (same job, worker and packed
    bytes) of a LabelsSubmitted or BoxesSubmitted event is confirmed; labels nobody recorded (a
    transaction sent without the page, or a batch marked failed that landed after all) are recorded
    as confirmed, or rejected where they break the API's rules. Returns the batch confirmed now, None when there was nothing to confirm; the
    caller announces it (a box vote after checking its boxes)."""
    job = Job.objects.filter(instance_address__iexact=event.address).first()
    worker = User.objects.filter(address__iexact=event.args["worker"]).first()
    if job is None or worker is None:
        return None
    now = timezone.now()
    batch = (
        LabelBatch.objects.select_for_update()
        .filter(
            job=job,
            worker=worker,
            packed=event.args["labels"].lower(),
            status__in=[LabelBatch.Status.PENDING, LabelBatch.Status.SUBMITTED],
        )
        .order_by("pk")
        .first()
    )
    if batch is None:
        if LabelBatch.objects.filter(job=job, tx_hash=event.tx_hash, status=LabelBatch.Status.CONFIRMED).exists():
            return None
        batch = _record_unseen_batch(job=job, worker=worker, event=event)
    LabelBatch.objects.filter(pk=batch.pk).update(status=CONFIRMED, tx_hash=event.tx_hash, confirmed_at=now)
    batch.labels.filter(status=Label.Status.PENDING).update(
        status=Label.Status.CONFIRMED, tx_hash=event.tx_hash, block_number=event.block_number
    )
    batch.labels.filter(status=Label.Status.REJECTED).update(tx_hash=event.tx_hash, block_number=event.block_number)
    rejected = batch.labels.filter(status=Label.Status.REJECTED).count()
    services.push_to_worker(
        user_id=worker.pk,
        message={"batch": batch.pk, "status": CONFIRMED, "tx_hash": event.tx_hash, "rejected": rejected},
    )
    return batch


def unconfirm_batches(event: ChainEvent, *, kind: VoteKind) -> None:
    """When a reorganisation orphans the event (LabelsSubmitted or BoxesSubmitted) its batch is back
    to "transaction sent" and its labels to pending. The transaction usually lands again on the new
    branch (it returns to the mempool), and its new event confirms the same batch again."""
    job = Job.objects.filter(instance_address__iexact=event.address).first()
    if job is None:
        return
    worker_ids = []
    for batch in LabelBatch.objects.filter(job=job, tx_hash=event.tx_hash, status=CONFIRMED):
        LabelBatch.objects.filter(pk=batch.pk).update(status=LabelBatch.Status.SUBMITTED, confirmed_at=None)
        batch.labels.filter(status=Label.Status.CONFIRMED).update(status=Label.Status.PENDING, block_number=None)
        services.push_to_worker(
            user_id=batch.worker_id, message={"batch": batch.pk, "status": LabelBatch.Status.SUBMITTED}
        )
        worker_ids.append(batch.worker_id)
    if worker_ids:
        emit(LabelsUnconfirmed(job_id=job.pk, worker_ids=tuple(sorted(set(worker_ids))), kind=kind))


def _record_unseen_batch(*, job: Job, worker, event: ChainEvent) -> LabelBatch:
    """Record the labels of a batch the server never saw. Each takes its item's slot (the contract
    counted the vote against the item's cap); those that break the API's rules are REJECTED with
    their reason (services.ChainLabelRules), the others are honeypot answers like any."""
    pairs = unpack_labels(bytes.fromhex(event.args["labels"][2:]))
    items = {item.index: item for item in Item.objects.filter(job=job, index__in=[i for i, _ in pairs])}
    rules = services.chain_label_rules(job=job, worker=worker, item_ids=[item.pk for item in items.values()])
    batch = LabelBatch.objects.create(
        job=job, worker=worker, mode=LabelBatch.Mode.WALLET, packed=event.args["labels"].lower()
    )
    honeypot = False
    for index, label in pairs:
        if index not in items:
            continue
        live = Label.objects.filter(item=items[index], worker=worker).exclude(status=Label.Status.FAILED)
        if live.exists():  # recorded in another batch still pending: this event confirms that label
            live.update(batch=batch, label_index=label)
            continue
        released_lease, _ = ItemLease.objects.filter(item=items[index], worker=worker).delete()
        if not released_lease:  # a lease already holds the slot the label takes
            Item.objects.filter(pk=items[index].pk).update(labels_taken=F("labels_taken") + 1)
        rejection = rules.rejection(items[index])
        Label.objects.create(
            batch=batch,
            job=job,
            item=items[index],
            worker=worker,
            label_index=label,
            status=Label.Status.REJECTED if rejection else Label.Status.PENDING,
            rejection=rejection,
        )
        honeypot |= items[index].is_gold and not rejection
    if honeypot and kind_for(job).takes_class_labels:  # (box votes without their boxes never score)
        services.update_honeypot_standing(job=job, worker=worker)
    return batch
