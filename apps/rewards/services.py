"""Settlement as a resumable state machine, the stopping rules that start it, and the bookkeeping
of claims and refunds.

settle_job advances Settlement.step one conditional UPDATE at a time, each after its effect is
durable: SCREENED once the integrity signals are assessed and every flagged worker it would pay
is reviewed (HELD until then: settle_job returns, and the review that unblocks it schedules it
again; docs/integrity.md), COMPUTED once the report is stored and the payouts recorded (frozen
from then on), TRUTH_POSTED once every truth chunk but the last is on chain, ROOT_POSTED once the
last chunk and the root are on chain in one `settle` transaction, DONE with the job SETTLED. The
contract takes truth and root only once labelling is closed on chain (the deadline passed or the
requester sent stop()): until then settle_job raises SettlementNotDue and the sweep retries. An
anonymous pool is pulled (a claim of the job) once the root's dispute window is over.
Before sending a transaction it reads what the chain already holds, so a run killed between a
mined transaction and its UPDATE does not send it again.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from web3.contract import Contract

from apps.anonymity.selectors import confirmed_count as anonymous_label_count
from apps.anonymity.services import anonymous_pool_account, record_anonymous_pool, settle_anonymous_pool
from apps.boxes.selectors import box_settlement_input
from apps.boxes.services import record_consensus
from apps.boxes.settlement import compute_box_settlement
from apps.chain.client import get_web3, oracle_account, send
from apps.chain.escrow import settlement_terms
from apps.chain.registry import job_instance
from apps.integrity.selectors import blocking_flags, withheld_addresses
from apps.integrity.services import assess_job
from apps.jobs.consumers import push_dashboard_on_commit
from apps.jobs.models import Job
from apps.labeling.models import Label
from apps.labeling.services import push_to_worker
from apps.learning.selectors import latest_model_version
from apps.quality.selectors import JobLabels, job_labels
from apps.quality.services import store_item_aggregates
from apps.rewards.computation import SettlementInput, compute_settlement, pack_truth
from apps.reputation.services import record_settlement_evidence
from apps.rewards.models import Payout, Settlement
from apps.storage.selectors import read_blob
from apps.storage.services import store_blob

logger = logging.getLogger(__name__)

SETTLEMENT_CHANNEL = "crowdal-settlement"
# Truth words per postTruth transaction: 128 words are 8,192 items and ~4 KB of calldata.
TRUTH_WORDS_PER_TX = 128

Step = Settlement.Step


class SettlementConflict(RuntimeError):
    """The chain holds a payout root other than the one this settlement computed."""


class SettlementNotDue(RuntimeError):
    """Labelling is still open on chain: the job's deadline has not passed and its requester has not
    sent stop(). The settlement resumes when the sweep finds it due."""


def settlement_input(*, job: Job, labels: JobLabels, withheld: frozenset[str] = frozenset()) -> SettlementInput:
    if labels.item_indexes.tolist() != list(range(labels.n_items)):
        raise ValueError(f"job {job.pk}: item indexes are not 0..{labels.n_items - 1}")
    addresses = dict(get_user_model().objects.filter(pk__in=labels.worker_ids).values_list("pk", "address"))
    return SettlementInput(
        job={"id": job.pk, "chain_id": job.chain_id, "instance": job.instance_address, "onchain_id": job.onchain_id},
        n_items=labels.n_items,
        n_classes=labels.n_classes,
        items=labels.items,
        workers=labels.workers,
        labels=labels.labels,
        worker_addresses=[addresses[pk] for pk in labels.worker_ids],
        gold=labels.gold,
        price=int(job.price_per_label),
        budget=int(job.budget),
        label_txs=labels.tx_hashes,
        method=labels.method,
        worker_weights=labels.worker_weights,
        withheld=withheld,
        anonymous_nullifiers=labels.anonymous_nullifiers,
        anonymous_pool_account=anonymous_pool_account() if labels.anonymous_nullifiers else "",
    )


def _outcome(*, job: Job, withheld: frozenset[str]) -> tuple[object, Callable[[], None]]:
    """The job's settlement arithmetic (class labels or boxes) and how to store its aggregates."""
    if job.task_type == Job.TaskType.BOUNDING_BOX:
        box_input = box_settlement_input(job=job, withheld=withheld)
        outcome = compute_box_settlement(box_input)

        def store_aggregates() -> None:
            record_consensus(job=job, consensus=outcome.consensus, answers=box_input.answers)

        return outcome, store_aggregates
    labels = job_labels(job=job)
    outcome = compute_settlement(settlement_input(job=job, labels=labels, withheld=withheld))

    def store_aggregates() -> None:
        store_item_aggregates(labels=labels, truth=outcome.inferred)
        record_settlement_evidence(job=job, labels=labels, truth=outcome.truth)

    return outcome, store_aggregates


def _screen(*, settlement: Settlement) -> None:
    """Assess the integrity signals on the final labels, telling the review queue whom the settlement
    would pay; hold while any such flagged worker is unreviewed."""
    job = settlement.job
    if job.anonymous:
        # Anonymous labels cannot be tied to a person, so there is nobody to screen (docs/integrity.md).
        step = Step.SCREENED
    else:
        would_pay = _outcome(job=job, withheld=frozenset())[0].payouts
        assess_job(job=job, payable=[p.account for p in would_pay])
        step = Step.HELD if blocking_flags(job_id=job.pk).exists() else Step.SCREENED
    Settlement.objects.filter(pk=settlement.pk, step=Step.STARTED).update(step=step)
    push_dashboard_on_commit(job_id=job.pk)


def _release(*, settlement: Settlement) -> bool:
    """HELD -> SCREENED once no flag blocks; False while one does."""
    if blocking_flags(job_id=settlement.job_id).exists():
        return False
    Settlement.objects.filter(pk=settlement.pk, step=Step.HELD).update(step=Step.SCREENED)
    return True


def resume_held_settlement(*, job_id: int) -> bool:
    """After a review decision: schedule the held settlement once no flag blocks it any more."""
    held = Settlement.objects.filter(job_id=job_id, step=Step.HELD).exists()
    unblocked = held and not blocking_flags(job_id=job_id).exists()
    if unblocked:
        schedule_settlement(job_id)
    return unblocked


class _ReviewChanged(Exception):
    """A review decision committed while the payouts were computed: compute them again."""


def _compute(*, settlement: Settlement) -> None:
    job = settlement.job
    withheld = withheld_addresses(job=job)
    outcome, store_aggregates = _outcome(job=job, withheld=withheld)
    report_cid = store_blob(data=outcome.report, content_type="application/json")
    addresses = [w.address for w in outcome.workers]
    worker_pk = dict(get_user_model().objects.filter(address__in=addresses).values_list("address", "pk"))
    try:
        with transaction.atomic():
            won = Settlement.objects.filter(pk=settlement.pk, step=Step.SCREENED).update(
                step=Step.COMPUTED,
                method=outcome.method,
                report_cid=report_cid,
                root="0x" + outcome.root.hex(),
                total=outcome.total,
            )
            # The UPDATE holds the settlement row, which review_flag locks before deciding: a
            # decision committed before it shows here; one after it finds the payouts computed.
            if won and withheld_addresses(job=job) != withheld:
                raise _ReviewChanged
            if won:
                store_aggregates()
                Payout.objects.bulk_create(
                    Payout(
                        job=job,
                        worker_id=worker_pk[p.account],
                        index=p.index,
                        amount=p.amount,
                        proof=["0x" + h.hex() for h in outcome.proofs[p.index]],
                    )
                    for p in outcome.payouts
                    if p.account in worker_pk  # not the anonymous pool's leaf: the contract's, below
                )
                anonymous = outcome.anonymous
                if anonymous and anonymous.amount:
                    pool = next(p for p in outcome.payouts if p.account == anonymous.account)
                    record_anonymous_pool(
                        job=job,
                        leaf_index=pool.index,
                        amount=pool.amount,
                        proof=["0x" + h.hex() for h in outcome.proofs[pool.index]],
                        reward_per_label=anonymous.reward_per_label,
                        correct_nullifiers=anonymous.correct_nullifiers,
                    )
    except _ReviewChanged:
        return  # rolled back, still SCREENED: settle_job's loop computes again


def _posted_truth_words(*, instance: Contract, job: Job) -> dict[int, int]:
    """word index -> the latest truth word posted on chain (later posts replace earlier ones)."""
    w3 = instance.w3
    from_block = w3.eth.get_transaction_receipt(job.created_tx)["blockNumber"] if job.created_tx else 0
    words: dict[int, int] = {}
    logs = instance.events.TruthPosted().get_logs(from_block=from_block)
    for log in sorted(logs, key=lambda e: (e.blockNumber, e.logIndex)):
        first = log.args.startItem // 64
        for offset, word in enumerate(log.args.words):
            words[first + offset] = word
    return words


def _truth_chunks(*, settlement: Settlement) -> list[tuple[int, list[int]]]:
    """(first item, words) per truth transaction; the last goes with the root in `settle`."""
    truth = json.loads(read_blob(settlement.report_cid))["truth"]
    words = pack_truth([int(digit, 16) for digit in truth])
    return [(64 * start, words[start : start + TRUTH_WORDS_PER_TX]) for start in range(0, len(words), TRUTH_WORDS_PER_TX)]


def _require_due(*, settlement: Settlement, instance: Contract) -> None:
    if not settlement_terms(instance_address=instance.address, w3=instance.w3).due:
        raise SettlementNotDue(
            f"job {settlement.job_id}: labelling is open on chain until the deadline or the requester's stop()"
        )


def _post_truth(*, settlement: Settlement, instance: Contract) -> None:
    _require_due(settlement=settlement, instance=instance)
    posted = _posted_truth_words(instance=instance, job=settlement.job)
    last_tx = settlement.truth_tx
    for start, chunk in _truth_chunks(settlement=settlement)[:-1]:
        if all(posted.get(start // 64 + k) == word for k, word in enumerate(chunk)):
            continue
        last_tx = send(instance.functions.postTruth(start, chunk), sender=oracle_account()).tx_hash
    Settlement.objects.filter(pk=settlement.pk, step=Step.COMPUTED).update(step=Step.TRUTH_POSTED, truth_tx=last_tx)


def _post_payout_root(*, settlement: Settlement, instance: Contract) -> None:
    """The last truth chunk and the root in one transaction, so truth is never on chain while the
    contract still takes labels."""
    _, _, settled, _ = instance.functions.escrowState().call()
    root_tx = ""
    if settled:
        on_chain = "0x" + instance.functions.payoutRoot().call().hex()
        if on_chain != settlement.root:
            raise SettlementConflict(f"job {settlement.job_id}: chain root {on_chain} != computed {settlement.root}")
    else:
        _require_due(settlement=settlement, instance=instance)
        start, last_chunk = _truth_chunks(settlement=settlement)[-1]
        root = bytes.fromhex(settlement.root[2:])
        post = instance.functions.settle(start, last_chunk, root, int(settlement.total), settlement.report_cid)
        root_tx = send(post, sender=oracle_account()).tx_hash
    Settlement.objects.filter(pk=settlement.pk, step=Step.TRUTH_POSTED).update(step=Step.ROOT_POSTED, root_tx=root_tx)


def _pool_waits(*, settlement: Settlement, instance: Contract) -> bool:
    """An anonymous pool is pulled by a claim of the job: it waits for the end of the dispute window."""
    if not settlement.job.anonymous:
        return False
    return not settlement_terms(instance_address=instance.address, w3=instance.w3).claimable


@transaction.atomic
def _finish(*, settlement: Settlement) -> None:
    done = Settlement.objects.filter(pk=settlement.pk, step=Step.ROOT_POSTED)
    if done.update(step=Step.DONE, settled_at=timezone.now()):
        Job.objects.filter(pk=settlement.job_id, status=Job.Status.STOPPED).update(status=Job.Status.SETTLED)
        push_dashboard_on_commit(job_id=settlement.job_id)


def settle_job(*, job_id: int) -> Settlement:
    """Settle a stopped job: integrity screening, final aggregation and payouts, truth on chain, report
    stored, payout root on chain, job SETTLED. Safe to run again at any point: it resumes, and pays
    once. Returns early, with the step HELD, while a flagged worker it would pay is unreviewed."""
    job = Job.objects.get(pk=job_id)
    if job.status not in (Job.Status.STOPPED, Job.Status.SETTLED):
        raise ValueError(f"job {job_id} is {job.status}: only a stopped job is settled")
    Settlement.objects.get_or_create(job=job)
    instance = job_instance(job.instance_address, w3=get_web3())
    steps = {
        Step.STARTED: lambda s: _screen(settlement=s),
        Step.SCREENED: lambda s: _compute(settlement=s),
        Step.COMPUTED: lambda s: _post_truth(settlement=s, instance=instance),
        Step.TRUTH_POSTED: lambda s: _post_payout_root(settlement=s, instance=instance),
        # The anonymous pool (if any) is funded before the job counts as settled.
        Step.ROOT_POSTED: lambda s: (settle_anonymous_pool(job=s.job), _finish(settlement=s)),
    }
    while (settlement := Settlement.objects.select_related("job").get(job=job)).step != Step.DONE:
        if settlement.step == Step.ROOT_POSTED and _pool_waits(settlement=settlement, instance=instance):
            return settlement  # the sweep comes back after the dispute window
        if settlement.step == Step.HELD:
            if not _release(settlement=settlement):
                return settlement
            continue
        steps[settlement.step](settlement)
    return settlement


def settle_stopped_jobs() -> list[int]:
    """Settle (or resume) every stopped job; the settlement worker's periodic sweep, so a lost
    "settle" message or a worker killed half-way only delays a settlement. One job failing (the
    chain away, a conflicting root) is logged and does not hold up the others. Returns the jobs
    settled by this call."""
    settled = []
    for job_id in Job.objects.filter(status=Job.Status.STOPPED).order_by("pk").values_list("pk", flat=True):
        try:
            if settle_job(job_id=job_id).step == Step.DONE:  # a held one waits for its review
                settled.append(job_id)
        except Exception:
            logger.exception("settling job %s failed; the next sweep retries", job_id)
    return settled


def schedule_settlement(job_id: int) -> None:
    """Ask the settlement worker to settle the job once the current transaction commits."""
    message = {"type": "rewards.settle", "job_id": job_id}
    transaction.on_commit(lambda: async_to_sync(get_channel_layer().send)(SETTLEMENT_CHANNEL, message))


def stop_job(*, job_id: int) -> bool:
    """Stop a live job (the requester's "stop" button, or a stopping rule) and schedule its
    settlement; False when it was not live."""
    with transaction.atomic():
        stopped = Job.objects.filter(pk=job_id, status=Job.Status.LIVE).update(status=Job.Status.STOPPED)
        if stopped:
            schedule_settlement(job_id)
            push_dashboard_on_commit(job_id=job_id)
    return bool(stopped)


def stopping_rule_met(*, job: Job) -> bool:
    if job.stopping_rule == Job.StoppingRule.BUDGET:
        confirmed = Label.objects.filter(job=job, status=Label.Status.CONFIRMED).count()
        if job.anonymous:
            confirmed += anonymous_label_count(job=job)
        return confirmed * job.price_per_label >= job.budget
    if job.stopping_rule == Job.StoppingRule.TARGET_ACCURACY and job.target_accuracy is not None:
        latest = latest_model_version(job=job)
        accuracy = latest.heldout_accuracy if latest else None
        return accuracy is not None and accuracy >= job.target_accuracy
    return False


def stop_if_rule_met(*, job_id: int) -> bool:
    """Called after labels confirm and after each retrain."""
    job = Job.objects.get(pk=job_id)
    return job.status == Job.Status.LIVE and stopping_rule_met(job=job) and stop_job(job_id=job_id)


def mark_claimed(*, instance: str, index: int, tx_hash: str) -> int:
    """Record an indexed Claimed event and tell the labeler's open pages (their rewards panel)."""
    unclaimed = Payout.objects.filter(job__instance_address__iexact=instance, index=index, claimed_at__isnull=True)
    worker_ids = list(unclaimed.values_list("worker_id", flat=True))
    marked = unclaimed.update(claimed_at=timezone.now(), claim_tx=tx_hash)
    for worker_id in worker_ids:
        push_to_worker(user_id=worker_id, message={"claimed": index, "tx_hash": tx_hash})
    return marked


def unmark_claimed(*, instance: str, index: int, tx_hash: str) -> int:
    """A reorganisation orphaned the Claimed event: the payout is claimable again until the claim
    lands on the new branch."""
    return Payout.objects.filter(job__instance_address__iexact=instance, index=index, claim_tx=tx_hash).update(
        claimed_at=None, claim_tx=""
    )


def mark_refunded(*, instance: str) -> int:
    return Job.objects.filter(instance_address__iexact=instance).exclude(status=Job.Status.REFUNDED).update(
        status=Job.Status.REFUNDED
    )
