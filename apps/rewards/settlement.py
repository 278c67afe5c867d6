"""Settlement as a resumable state machine, the stopping rules that start it, and its input.

settle_job advances Settlement.step one conditional UPDATE at a time, each after its effect is
durable: WAITING while label batches recorded before the stop are still in flight (pending or sent:
the contract takes them until the root is posted, and labels confirmed then are paid), at most
REWARDS_SETTLEMENT_BATCH_WAIT_SECONDS after the settlement started; SCREENED once the integrity signals are assessed and every flagged worker it would pay
is reviewed (HELD until then: settle_job returns, and the review that unblocks it schedules it
again; screening.py, docs/integrity.md), COMPUTED once the report is stored and the payouts recorded (frozen
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
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from web3.contract import Contract

from apps.anonymity.selectors import confirmed_count as anonymous_label_count
from apps.anonymity.services import record_anonymous_pool, settle_anonymous_pool
from apps.chain.client import get_web3, oracle_account, send
from apps.chain.escrow import settlement_terms
from apps.chain.registry import job_instance
from apps.integrity.selectors import withheld_addresses
from apps.jobs.kinds import SettlementOutcome, kind_for
from apps.jobs.models import Job
from apps.jobs.services import mark_job_settled, stop_live_job
from apps.labeling.models import Label
from apps.labeling.selectors import batches_in_flight
from apps.learning.selectors import latest_model_version
from apps.lib.events import emit
from apps.rewards.computation import pack_truth
from apps.rewards.events import SettlementProgressed, SettlementSettled
from apps.rewards.models import Payout, Settlement
from apps.rewards.scheduling import schedule_settlement
from apps.rewards.screening import release_held_settlement, screen_settlement
from apps.storage.selectors import read_blob
from apps.storage.services import store_blob

logger = logging.getLogger(__name__)

# Truth words per postTruth transaction: 128 words are 8,192 items and ~4 KB of calldata.
TRUTH_WORDS_PER_TX = 128

Step = Settlement.Step


class SettlementConflict(RuntimeError):
    """The chain holds a payout root other than the one this settlement computed."""


class SettlementNotDue(RuntimeError):
    """Labelling is still open on chain: the job's deadline has not passed and its requester has not
    sent stop(). The settlement resumes when the sweep finds it due."""


def _outcome(*, job: Job, withheld: frozenset[str]) -> SettlementOutcome:
    """The job's settlement arithmetic, as its task kind computes it, and how to store its aggregates."""
    return kind_for(job).settlement_outcome(job=job, withheld=withheld)


def _waits_for_batches(*, settlement: Settlement) -> bool:
    """STARTED <-> WAITING: True (WAITING, announced once) while batches are in flight within the
    bound; False (back to STARTED) once they are final or the bound is over. Whatever lands later
    is not in this settlement: its payouts are computed from the labels confirmed by then."""
    waited_out = timezone.now() - settlement.started_at > timedelta(
        seconds=settings.REWARDS_SETTLEMENT_BATCH_WAIT_SECONDS
    )
    in_flight = not waited_out and batches_in_flight(job=settlement.job)
    if in_flight:
        if Settlement.objects.filter(pk=settlement.pk, step=Step.STARTED).update(step=Step.WAITING):
            emit(SettlementProgressed(job_id=settlement.job_id, step=Step.WAITING))
        return True
    if waited_out and batches_in_flight(job=settlement.job):
        logger.warning("job %s: settling with label batches still in flight after the wait", settlement.job_id)
    Settlement.objects.filter(pk=settlement.pk, step=Step.WAITING).update(step=Step.STARTED)
    return False


def resume_waiting_settlement(*, job_id: int) -> None:
    """After labels of a job whose settlement waits for them were confirmed: try again."""
    if Settlement.objects.filter(job_id=job_id, step=Step.WAITING).exists():
        schedule_settlement(job_id)


def _would_pay(*, job: Job) -> list[str]:
    """The accounts the settlement pays when nobody is withheld: whom screening must clear first."""
    return [p.account for p in _outcome(job=job, withheld=frozenset()).outcome.payouts]


class _ReviewChanged(Exception):
    """A review decision committed while the payouts were computed: compute them again."""


def _compute(*, settlement: Settlement) -> None:
    job = settlement.job
    withheld = withheld_addresses(job=job)
    computed = _outcome(job=job, withheld=withheld)
    outcome, store_aggregates = computed.outcome, computed.store_aggregates
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
    return [
        (64 * start, words[start : start + TRUTH_WORDS_PER_TX]) for start in range(0, len(words), TRUTH_WORDS_PER_TX)
    ]


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
        mark_job_settled(job_id=settlement.job_id)
        emit(SettlementSettled(job_id=settlement.job_id))


def settle_job(*, job_id: int) -> Settlement:
    """Settle a stopped job: integrity screening, final aggregation and payouts, truth on chain, report
    stored, payout root on chain, job SETTLED. Safe to run again at any point: it resumes, and pays
    once. Returns early, with the step WAITING while label batches are in flight, or HELD while a
    flagged worker it would pay is unreviewed."""
    job = Job.objects.get(pk=job_id)
    if job.status not in (Job.Status.STOPPED, Job.Status.SETTLED):
        raise ValueError(f"job {job_id} is {job.status}: only a stopped job is settled")
    Settlement.objects.get_or_create(job=job)
    instance = job_instance(job.instance_address, w3=get_web3())
    steps = {
        Step.STARTED: lambda s: screen_settlement(settlement=s, would_pay=lambda: _would_pay(job=s.job)),
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
            if not release_held_settlement(settlement=settlement):
                return settlement
            continue
        if settlement.step in (Step.STARTED, Step.WAITING):
            if _waits_for_batches(settlement=settlement):
                settlement.refresh_from_db()
                return settlement
            settlement.step = Step.STARTED
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
            if settle_job(job_id=job_id).step == Step.DONE:  # a held or waiting one comes back
                settled.append(job_id)
        except Exception:
            logger.exception("settling job %s failed; the next sweep retries", job_id)
    return settled


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
    return job.status == Job.Status.LIVE and stopping_rule_met(job=job) and stop_live_job(job_id=job_id)
