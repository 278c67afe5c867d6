"""Writes of the labeling app: label batches and honeypot pauses. Next-item serving (item leases) is
in serving.py, qualification rounds in qualification.py, confirmation from the chain in confirmation.py.

Capacity invariant: Item.labels_taken counts the item's live leases plus its pending and confirmed
labels. It only grows through a conditional UPDATE (`labels_taken < labels_needed`), so two
labelers can never both take an item's last slot, and a batch the server accepts never trips the
contract's per-item cap. Leases and failed labels give their slot back exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from eth_account import Account
from eth_account.messages import encode_typed_data

from apps.accounts.models import User
from apps.chain.client import TxState, get_web3, transaction_info
from apps.chain.eip712 import label_batch_typed_data
from apps.chain.labels import pack_labels
from apps.chain.registry import job_instance
from apps.jobs.kinds import kind_for
from apps.jobs.models import GoldRole, Item, Job
from apps.labeling.gates import lock_for
from apps.labeling.models import ItemLease, Label, LabelBatch, Pause, Qualification
from apps.labeling.scheduling import schedule_send
from apps.lib.errors import AppError
from apps.lib.live import Group, send_on_commit

# Label and batch statuses share these values.
FAILED, CONFIRMED = Label.Status.FAILED, Label.Status.CONFIRMED
# Labels that are, or may become, votes the server counts (a rejected one is on chain, never counted).
COUNTABLE = (Label.Status.PENDING, Label.Status.CONFIRMED)


class LabelingError(AppError):
    """A request the labeler can fix or should know about; the message says what went wrong."""


class NotAllowed(LabelingError):
    status = 403
    code = "not_allowed"


def worker_group(user_id: int) -> str:
    return f"labeling-worker-{user_id}"


def push_to_worker(*, user_id: int, message: dict) -> None:
    """Tell the labeler's open pages, once the change is committed."""
    send_on_commit(Group(worker_group(user_id)), {"type": "labeling.update", **message})


# --- batches ----------------------------------------------------------------------------------


def pending_room(*, job: Job, worker, pending: int | None = None) -> int:
    """How many more items the worker may hold unconfirmed in the job (LABELING_MAX_PENDING_ITEMS:
    batches never sent must not hold a job's slots). `pending`: its pending labels, when the caller
    has counted them (selectors.job_for_serving)."""
    if pending is None:
        pending = Label.objects.filter(job=job, worker=worker, status=Label.Status.PENDING).count()
    return settings.LABELING_MAX_PENDING_ITEMS - pending


def refuse_beyond_pending_room(*, room: int, wanted: int) -> None:
    if wanted > room:
        raise LabelingError(
            f"You hold {settings.LABELING_MAX_PENDING_ITEMS - room} labels not yet on chain in this job, and at most"
            f" {settings.LABELING_MAX_PENDING_ITEMS} may wait: send (or cancel) your pending batches first.",
            status=409,
            code="pending_limit",
        )


def take_slot(*, item_id: int) -> bool:
    return take_slots(item_ids=[item_id]) == 1


def take_slots(*, item_ids: Sequence[int]) -> int:
    """Take one slot of each item that has one left, in one UPDATE; returns how many were taken."""
    if not item_ids:
        return 0
    return Item.objects.filter(pk__in=item_ids, labels_taken__lt=F("labels_needed")).update(
        labels_taken=F("labels_taken") + 1
    )


class _AnItemIsFull(Exception):
    pass


def take_all_slots(*, item_ids: Sequence[int]) -> bool:
    """One slot of every item, or none (False: one of them was full, nothing was taken)."""
    try:
        with transaction.atomic():
            if take_slots(item_ids=item_ids) != len(item_ids):
                raise _AnItemIsFull
    except _AnItemIsFull:
        return False
    return True


@dataclass(frozen=True)
class LabelInput:
    item_id: int
    label: int
    answer_ms: int | None = None


@dataclass(frozen=True)
class PreparedBatch:
    """What the page needs to send a batch: the typed data to sign (relayed) or the transaction to
    send (wallet)."""

    nonce: int
    typed_data: dict
    to: str
    data: str


def check_classes(*, job: Job, labels: Iterable[int]) -> None:
    count = job.classes.count()
    if wrong := sorted({label for label in labels if not 0 <= label < count}):
        raise LabelingError(f"Class {wrong[0]} does not exist in this job.")


def require_admitted(*, job: Job, worker, admitted: bool | None = None, paused: bool | None = None) -> None:
    """Admitted and not paused in a LIVE job. `admitted` / `paused`: the answers of those queries
    when the caller has them already (selectors.job_for_serving); None runs the query."""
    if job.status != Job.Status.LIVE or not job.instance_address:
        raise NotAllowed("This job is not open for labeling.")
    if job.anonymous:
        raise NotAllowed("This job is anonymous: join its group and label anonymously.")
    require_not_requester(job=job, worker=worker)
    if admitted is None:
        admitted = Qualification.objects.filter(job=job, worker=worker, passed=True).exclude(admitted_tx="").exists()
    if not admitted:
        raise NotAllowed("You are not admitted to this job: pass its qualification first.")
    if paused is False:
        return
    if pause := Pause.objects.filter(job=job, worker=worker, lifted_at__isnull=True).first():
        raise NotAllowed(pause_message(job=job, pause=pause))


OWN_JOB = "This is your own job: a requester does not qualify for or label its own jobs."


def require_not_requester(*, job: Job, worker) -> None:
    """A requester judging its own job's labels would pay itself: it neither qualifies nor labels."""
    if job.requester_id == worker.pk:
        raise NotAllowed(OWN_JOB)


def pause_message(*, job: Job, pause: Pause) -> str:
    return (
        f"You are paused in this job: your score on its hidden gold items fell to {pause.score:.0%}"
        f" over {pause.honeypots} of them, below the job's bar of {job.qualification_bar:.0%}."
        " The requester can lift the pause."
    )


def require_unlocked(*, job: Job, worker, item_ids: Sequence[int] = ()) -> None:
    """The job's gates (apps.labeling.gates: the minimum tier), checked when serving and on batches,
    so a labeler admitted before the requester raised the bar is refused too. Labels of items the
    labeler holds a lease on are still taken: they were served while the gate allowed, and refusing
    them loses work."""
    if lock := lock_for(job=job, worker=worker):
        leased = ItemLease.objects.filter(worker=worker, item_id__in=item_ids).values_list("item_id", flat=True)
        if not item_ids or set(item_ids) - set(leased):
            raise NotAllowed(lock.refusal)


@dataclass(frozen=True)
class CheckedBatch:
    """A batch that passed the server's checks, in the contract's terms (on-chain item ids)."""

    job: Job
    worker: User
    labels: Sequence[LabelInput]
    onchain_ids: list[int]
    gold: list[bool]  # per label: the item is a gold honeypot

    @property
    def packed(self) -> bytes:
        return pack_labels(item_ids=self.onchain_ids, labels=[e.label for e in self.labels])

    def typed_data(self, *, nonce: int) -> dict:
        return label_batch_typed_data(
            chain_id=get_web3().eth.chain_id,
            instance=self.job.instance_address,
            worker=self.worker.address,
            item_ids=self.onchain_ids,
            labels=[e.label for e in self.labels],
            nonce=nonce,
        )


def check_batch(*, job: Job, worker, labels: Sequence[LabelInput]) -> CheckedBatch:
    """Admitted, unpaused worker, LIVE job of classes, each item of this job once and none of the
    qualification gold, each class in range."""
    if not kind_for(job).takes_class_labels:
        raise LabelingError("This job takes boxes, not class labels: submit them per image.")
    checked = check_items(job=job, worker=worker, labels=labels)
    check_classes(job=job, labels=[entry.label for entry in labels])
    return checked


def check_items(*, job: Job, worker, labels: Sequence[LabelInput]) -> CheckedBatch:
    """Admitted, unpaused worker, LIVE job, each item of this job once and none of the qualification
    gold, whose answers rounds show (the label values are the caller's to check)."""
    require_admitted(job=job, worker=worker)
    ids = [entry.item_id for entry in labels]
    if not ids:
        raise LabelingError("A batch needs at least one label.")
    if len(set(ids)) != len(ids):
        raise LabelingError("A batch labels each item once.")
    require_unlocked(job=job, worker=worker, item_ids=ids)
    refuse_beyond_pending_room(room=pending_room(job=job, worker=worker), wanted=len(ids))
    items = Item.objects.in_bulk(ids)
    unknown = [i for i in ids if i not in items or items[i].job_id != job.pk]
    if unknown:
        raise LabelingError(f"Items {unknown} are not part of this job.")
    if shown := sorted(i for i in ids if items[i].gold_role == GoldRole.QUALIFICATION):
        raise LabelingError(f"Items {shown} belong to qualification rounds; they are not labeled in normal work.")
    return CheckedBatch(
        job=job,
        worker=worker,
        labels=labels,
        onchain_ids=[items[i].index for i in ids],
        gold=[items[i].is_gold for i in ids],
    )


def recorded_nonce(*, job: Job, worker) -> int:
    """The highest relay nonce recorded for this worker in the job (0: none)."""
    return LabelBatch.objects.filter(job=job, worker=worker).aggregate(m=Max("nonce"))["m"] or 0


def next_nonce(*, job: Job, worker) -> int:
    """Above every nonce this worker used in the job, on chain or recorded (a failed batch's nonce
    is not reused: its signature may still be around)."""
    _, on_chain, _ = job_instance(job.instance_address, w3=get_web3()).functions.workerInfo(worker.address).call()
    return max(recorded_nonce(job=job, worker=worker), on_chain) + 1


def prepare_batch(*, job: Job, worker, labels: Sequence[LabelInput]) -> PreparedBatch:
    checked = check_batch(job=job, worker=worker, labels=labels)
    nonce = next_nonce(job=job, worker=worker)
    instance = job_instance(job.instance_address, w3=get_web3())
    return PreparedBatch(
        nonce=nonce,
        typed_data=checked.typed_data(nonce=nonce),
        to=instance.address,
        data=instance.encode_abi("submitLabels", args=[checked.packed]),
    )


def check_signature(*, job: Job, worker, typed_data: dict, nonce: int, signature: str) -> None:
    """The worker signed exactly `typed_data` (what the server rebuilt from the submitted labels or
    boxes) with a nonce it has not used; the contract checks the same again."""
    message = encode_typed_data(full_message=typed_data)
    try:
        signer = Account.recover_message(message, signature=signature)
    except Exception as error:  # malformed hex, wrong length, bad v: all mean "not a valid signature"
        raise LabelingError("The batch signature is malformed.") from error
    if signer != worker.address:
        raise LabelingError("The batch signature is not by your wallet (or does not match what you submitted).")
    # Against the recorded nonces only, so storing a batch never waits on the chain: a nonce the
    # chain saw outside the platform makes the contract refuse the batch when it is sent.
    if nonce <= recorded_nonce(job=job, worker=worker):
        raise LabelingError("This batch nonce was used already; sign the batch again.")


def submit_batch(
    *,
    job: Job,
    worker,
    mode: str,
    labels: Sequence[LabelInput],
    nonce: int | None = None,
    signature: str = "",
) -> LabelBatch:
    """Record a batch as pending. A relayed one is sent by the batch worker once this commits
    (apps/labeling/sending.py): the labeler never waits on the chain."""
    checked = check_batch(job=job, worker=worker, labels=labels)
    if mode == LabelBatch.Mode.RELAYED:
        if nonce is None or not signature:
            raise LabelingError("A relayed batch needs its nonce and signature.")
        check_signature(
            job=job, worker=worker, typed_data=checked.typed_data(nonce=nonce), nonce=nonce, signature=signature
        )
        with transaction.atomic():
            batch = record_batch(checked=checked, mode=mode, nonce=nonce, signature=signature)
            schedule_send(batch_id=batch.pk)
        return batch
    return record_batch(checked=checked, mode=mode, nonce=None, signature="")


def record_batch(*, checked: CheckedBatch, mode: str, nonce: int | None, signature: str) -> LabelBatch:
    job, worker, labels = checked.job, checked.worker, checked.labels
    item_ids = [entry.item_id for entry in labels]
    try:
        with transaction.atomic():
            batch = LabelBatch.objects.create(
                job=job, worker=worker, mode=mode, packed="0x" + checked.packed.hex(), nonce=nonce, signature=signature
            )
            leased = set(
                ItemLease.objects.filter(worker=worker, item_id__in=item_ids).values_list("item_id", flat=True)
            )
            # A leased item already holds its slot: the lease turns into the label.
            ItemLease.objects.filter(worker=worker, item_id__in=leased).delete()
            unleased = [item_id for item_id in item_ids if item_id not in leased]
            if not take_all_slots(item_ids=unleased):
                full = Item.objects.filter(pk__in=unleased, labels_taken__gte=F("labels_needed"))
                raise LabelingError(
                    f"Items {sorted(full.values_list('index', flat=True))} have all the labels they need."
                )
            Label.objects.bulk_create(
                Label(
                    batch=batch, job=job, item_id=e.item_id, worker=worker, label_index=e.label, answer_ms=e.answer_ms
                )
                for e in labels
            )
            if any(checked.gold) and kind_for(job).takes_class_labels:
                # (a box job's honeypot is scored once its boxes are stored: apps.boxes.services)
                update_honeypot_standing(job=job, worker=worker)
    except IntegrityError as error:
        raise LabelingError("You labeled one of these items already, or reused a batch nonce.") from error
    return batch


def report_wallet_tx(*, batch: LabelBatch, tx_hash: str) -> LabelBatch:
    """The page reports the transaction its wallet sent for a wallet batch. Refused at once unless
    the node knows it as this batch's submitLabels call from the labeler's wallet to the job's
    instance: a made-up hash would otherwise keep the batch's item slots until it expires."""
    info = transaction_info(get_web3(), tx_hash)
    instance = job_instance(batch.job.instance_address, w3=get_web3())
    expected = instance.encode_abi("submitLabels", args=[bytes.fromhex(batch.packed.removeprefix("0x"))])
    if (
        info.state == TxState.UNKNOWN
        or info.sender.lower() != batch.worker.address.lower()
        or info.to.lower() != batch.job.instance_address.lower()
        or info.data.lower() != expected.lower()
    ):
        raise LabelingError(
            "That transaction is not this batch's: the chain knows no submitLabels of these labels"
            " from your wallet to this job under that hash.",
            field="tx_hash",
        )
    return mark_submitted(batch=batch, tx_hash=tx_hash)


def mark_submitted(*, batch: LabelBatch, tx_hash: str) -> LabelBatch:
    """The transaction is out (a wallet batch: the page reports its hash). Only a pending batch moves:
    the indexer may already have confirmed it."""
    LabelBatch.objects.filter(pk=batch.pk, status=LabelBatch.Status.PENDING).update(
        status=LabelBatch.Status.SUBMITTED, tx_hash=tx_hash
    )
    batch.refresh_from_db()
    return batch


def fail_batch(*, batch: LabelBatch, reason: str, tx_hash: str = "") -> LabelBatch:
    """Mark a batch that did not make it on chain FAILED and give its slots back, once."""
    with transaction.atomic():
        moved = LabelBatch.objects.filter(
            pk=batch.pk, status__in=[LabelBatch.Status.PENDING, LabelBatch.Status.SUBMITTED]
        ).update(status=LabelBatch.Status.FAILED, error=reason, tx_hash=tx_hash or F("tx_hash"))
        if moved:
            item_ids = list(batch.labels.values_list("item_id", flat=True))
            batch.labels.update(status=Label.Status.FAILED)
            Item.objects.filter(pk__in=item_ids).update(labels_taken=F("labels_taken") - 1)
            push_to_worker(user_id=batch.worker_id, message={"batch": batch.pk, "status": FAILED, "error": reason})
    batch.refresh_from_db()
    return batch


# --- labels found on chain that the server never recorded ------------------------------------


@dataclass(frozen=True)
class ChainLabelRules:
    """The API's rules, applied by the indexer to labels that reached the chain without the server
    (a wallet calling JobInstance.submitLabels itself). The contract takes such a vote; the server
    records it REJECTED, with the reason the labeler sees, and never counts or pays it. Loaded once
    per batch, before the batch's labels are recorded."""

    job: Job
    worker: User
    paused: bool
    served: frozenset[int]  # items leased to the worker, or in a batch of its the API recorded (and failed)

    def rejection(self, item: Item) -> str:
        """Why the label on `item` does not count ("" when it does). No reason tells a honeypot from
        an ordinary item (qualification gold is named: its answers are out anyway)."""
        if self.job.requester_id == self.worker.pk:
            return OWN_JOB
        if self.job.status != Job.Status.LIVE:
            return "Sent after the job stopped taking labels."
        if self.paused:
            return "Sent while you were paused in this job."
        if item.gold_role == GoldRole.QUALIFICATION:
            return "This item belongs to qualification rounds, which show its answer: it is not labeled in normal work."
        if item.pk not in self.served:
            return "This item was never served to you: label the items the labeling page serves."
        return ""


def chain_label_rules(*, job: Job, worker, item_ids: Iterable[int]) -> ChainLabelRules:
    item_ids = list(item_ids)
    leased = ItemLease.objects.filter(worker=worker, item_id__in=item_ids).values_list("item_id", flat=True)
    # A relayed batch marked failed when its send timed out may land after all: the API checked it.
    recorded = Label.objects.filter(job=job, worker=worker, item_id__in=item_ids, status=FAILED)
    return ChainLabelRules(
        job=job,
        worker=worker,
        paused=Pause.objects.filter(job=job, worker=worker, lifted_at__isnull=True).exists(),
        served=frozenset([*leased, *recorded.values_list("item_id", flat=True)]),
    )


# --- honeypots --------------------------------------------------------------------------------


def honeypot_answers(*, job: Job, worker, since) -> list[tuple]:
    """(answer, gold) of the worker's countable answers on gold items served as honeypots (recorded
    by the API or found on chain alike), given after `since` (None: all), in the form the job's task
    kind scores."""
    labels = Label.objects.filter(job=job, worker=worker, item__gold_role=GoldRole.HONEYPOT, status__in=COUNTABLE)
    if since is not None:
        labels = labels.filter(created_at__gt=since)
    return kind_for(job).honeypot_answers(labels=labels)


def update_honeypot_standing(*, job: Job, worker) -> Pause | None:
    """Pause the worker when its running score on honeypots (its live labels on gold items since
    its last lifted pause) is below the job's qualification bar, once it has answered at least
    job.honeypot_min of them. Runs in the transaction that records the honeypot labels; recomputed
    from the labels each time, so a failed batch's labels stop counting and nothing counts twice."""
    if Pause.objects.filter(job=job, worker=worker, lifted_at__isnull=True).exists():
        return None
    since = Pause.objects.filter(job=job, worker=worker).aggregate(m=Max("lifted_at"))["m"]
    answers = honeypot_answers(job=job, worker=worker, since=since)
    if len(answers) < job.honeypot_min:
        return None
    kind = kind_for(job)
    score = sum(kind.score_against_gold(answer=a, gold=g) for a, g in answers) / len(answers)
    if score >= job.qualification_bar:
        return None
    pause = Pause.objects.create(job=job, worker=worker, honeypots=len(answers), score=score)
    push_to_worker(
        user_id=worker.pk, message={"job": job.pk, "paused": True, "detail": pause_message(job=job, pause=pause)}
    )
    return pause


def lift_pause(*, job: Job, pause_id: int, by) -> Pause:
    """The requester lets a paused worker label again."""
    if job.requester_id != by.pk:
        raise NotAllowed("Only the job's requester can lift a pause.")
    with transaction.atomic():
        pause = Pause.objects.select_for_update().filter(pk=pause_id, job=job).first()
        if pause is None:
            raise LabelingError("This job has no such pause.")
        if pause.lifted_at is None:
            pause.lifted_at, pause.lifted_by = timezone.now(), by
            pause.save(update_fields=["lifted_at", "lifted_by"])
            push_to_worker(user_id=pause.worker_id, message={"job": job.pk, "paused": False})
    return pause
