"""Writes of anonymous job mode: joining a job's group, relaying anonymous labels, and recording
what the indexer sees (members added, labels confirmed).

Neither path links a label to a wallet: a join is tied to the session's wallet but carries only the
identity commitment; a label carries only the proof, whose nullifier is Poseidon(scope, secret) for
the item's scope and reveals neither the secret nor the commitment. Relay requests come without the
session (the page sends them with `credentials: "omit"`, and the views take no authentication).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from apps.anonymity.models import AnonymousLabel, AnonymousPool, GroupJoin, GroupMember
from apps.chain import anonymous_rewards, semaphore
from apps.chain.client import TransactionFailed, get_web3, oracle_account, relayer_account, send
from apps.chain.errors import NODE_ERRORS
from apps.chain.merkle import Payout
from apps.chain.registry import contract
from apps.jobs.models import Item, Job
from apps.labeling.events import LabelsConfirmed, LabelsUnconfirmed, VoteKind
from apps.labeling.models import Qualification
from apps.labeling.services import LabelingError, NotAllowed, check_classes
from apps.lib.events import emit

# GroupJoin.tx_hash when the commitment was on chain already (a retry after a lost answer).
ALREADY_IN_GROUP = "already-in-group"


class Conflict(LabelingError):
    """The request repeats something done already (a second commitment, a label for an item this
    identity labelled)."""

    status = 409
    code = "conflict"


def field_element(value: int, *, what: str) -> int:
    """Commitments and nullifiers are elements of BN254's scalar field (Semaphore's), never 0."""
    if not 0 < value < semaphore.SNARK_SCALAR_FIELD:
        raise LabelingError(f"The {what} is not an element of the proof system's field.")
    return value


def require_anonymous_open(job: Job) -> None:
    if not job.anonymous:
        raise NotAllowed("This job is not anonymous.")
    if job.status != Job.Status.LIVE or not job.instance_address:
        raise NotAllowed("This job is closed: it takes no more labels.")


def join_group(*, job: Job, worker, commitment: int) -> GroupJoin:
    """Put the worker's identity commitment in the job's group: one per qualified wallet and job.
    The oracle's addMembers is sent outside any transaction; if it fails the join is undone, so the
    labeler can try again."""
    require_anonymous_open(job)
    field_element(commitment, what="identity commitment")
    if not Qualification.objects.filter(job=job, worker=worker, passed=True).exclude(admitted_tx="").exists():
        raise NotAllowed("Pass the job's qualification with your wallet before joining its anonymous group.")
    try:
        with transaction.atomic():
            join = GroupJoin.objects.create(job=job, worker=worker, commitment=str(commitment))
    except IntegrityError as error:
        if GroupJoin.objects.filter(job=job, worker=worker).exists():
            raise Conflict("Your wallet has joined this job's group already (one identity per wallet).") from error
        raise Conflict("That identity commitment is in this job's group already.") from error
    add = semaphore.anonymous_labels(w3=get_web3()).functions.addMembers(job.instance_address, [commitment])
    try:
        tx_hash = send(add, sender=oracle_account()).tx_hash
    except TransactionFailed as error:
        if error.reason != "LeafAlreadyExists":
            join.delete()
            raise LabelingError(f"Adding your identity to the group on chain failed ({error.reason}).") from error
        tx_hash = ALREADY_IN_GROUP  # an earlier attempt was mined although its answer was lost
    except NODE_ERRORS as error:
        join.delete()
        raise LabelingError("Adding your identity to the group on chain failed; try again.") from error
    GroupJoin.objects.filter(pk=join.pk).update(tx_hash=tx_hash)
    join.refresh_from_db()
    return join


def relay_label(*, job: Job, proof: semaphore.LabelProof) -> AnonymousLabel:
    """Check an anonymous label and its proof, then send it from the relayer key. Every check that
    can fail runs before gas is spent: the database's (job open, item, class, nullifier unused,
    capacity) and the contract's own, by eth_call (proof, root known, nullifier unused on chain).
    A transaction that fails anyway marks the label FAILED and gives the item's slot back."""
    require_anonymous_open(job)
    if proof.job.lower() != job.instance_address.lower():
        raise LabelingError("The proof is for another job.")
    # Gold items are taken like any (refusing them would point them out); confirm_label rejects them.
    item = Item.objects.filter(job=job, index=proof.item_id).first()
    if item is None:
        raise LabelingError(f"Item {proof.item_id} is not an item of this job.")
    check_classes(job=job, labels=[proof.label])
    nullifier = str(field_element(proof.nullifier, what="nullifier"))
    if (
        AnonymousLabel.objects.filter(job=job, nullifier=nullifier)
        .exclude(status=AnonymousLabel.Status.FAILED)
        .exists()
    ):
        raise Conflict("This identity has labelled this item already.")
    relayer = relayer_account()
    if reason := semaphore.check_label_proof(proof=proof, sender=relayer.address, w3=get_web3()):
        raise LabelingError(f"The chain would refuse this label: {reason}.")
    try:
        with transaction.atomic():
            if not Item.objects.filter(pk=item.pk, labels_taken__lt=F("labels_needed")).update(
                labels_taken=F("labels_taken") + 1
            ):
                raise LabelingError(f"Item {proof.item_id} has all the labels it needs.")
            record = AnonymousLabel.objects.create(job=job, item=item, label_index=proof.label, nullifier=nullifier)
    except IntegrityError as error:  # a concurrent request with the same nullifier won the race
        raise Conflict("This identity has labelled this item already.") from error
    try:
        sent = semaphore.submit_label_proof(proof=proof, relayer=relayer, w3=get_web3())
    except TransactionFailed as error:
        return fail_label(record=record, reason=f"The chain refused the label: {error.reason}", tx_hash=error.tx_hash)
    except NODE_ERRORS:
        # If it went out after all, its event confirms it (confirm_label revives the record).
        return fail_label(record=record, reason="The label could not be sent to the chain; try again.")
    AnonymousLabel.objects.filter(pk=record.pk, status=AnonymousLabel.Status.PENDING).update(tx_hash=sent.tx_hash)
    record.refresh_from_db()
    return record


def fail_label(*, record: AnonymousLabel, reason: str, tx_hash: str | None = None) -> AnonymousLabel:
    with transaction.atomic():
        moved = AnonymousLabel.objects.filter(pk=record.pk, status=AnonymousLabel.Status.PENDING).update(
            status=AnonymousLabel.Status.FAILED, error=reason, tx_hash=tx_hash or ""
        )
        if moved:
            Item.objects.filter(pk=record.item_id).update(labels_taken=F("labels_taken") - 1)
    record.refresh_from_db()
    return record


# --- from the indexer -------------------------------------------------------------------------


def record_members(*, job_address: str, start_index: int, commitments: list[int]) -> int:
    """MembersAdded: the group's leaves as the chain holds them. Idempotent per leaf."""
    job = Job.objects.filter(instance_address__iexact=job_address).first()
    if job is None:
        return 0
    rows = [GroupMember(job=job, index=start_index + k, commitment=str(c)) for k, c in enumerate(commitments)]
    GroupMember.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


GOLD_REJECTION = "A gold item: anonymous labels on gold items are not counted or paid."


def confirm_label(
    *, job_address: str, item_index: int, label: int, nullifier: int, tx_hash: str, block_number: int
) -> None:
    """AnonymousLabel: the chain is the source of truth. The relayer's pending record is confirmed;
    a label nobody recorded (sent by another relayer, or marked failed and mined after all) is
    recorded confirmed and takes its item's slot. A label on a gold item, relayed or sent straight to
    the contract, is recorded REJECTED instead: never counted or paid. Announced as LabelsConfirmed,
    as wallet labels are."""
    job = Job.objects.filter(instance_address__iexact=job_address).first()
    item = Item.objects.filter(job=job, index=item_index).first() if job else None
    if job is None or item is None:
        return
    if item.is_gold:
        on_chain = {"status": AnonymousLabel.Status.REJECTED, "error": GOLD_REJECTION}
    else:
        on_chain = {"status": AnonymousLabel.Status.CONFIRMED}
    confirmed = {**on_chain, "tx_hash": tx_hash, "block_number": block_number}
    live = AnonymousLabel.objects.filter(job=job, nullifier=str(nullifier)).exclude(status=AnonymousLabel.Status.FAILED)
    if not live.update(**confirmed, label_index=label, item=item):
        Item.objects.filter(pk=item.pk).update(labels_taken=F("labels_taken") + 1)
        AnonymousLabel.objects.create(job=job, item=item, label_index=label, nullifier=str(nullifier), **confirmed)
    emit(LabelsConfirmed(job_id=job.pk, worker_ids=(), kind=VoteKind.ANONYMOUS))


def unconfirm_label(*, job_address: str, nullifier: int, tx_hash: str) -> int:
    """A reorganisation orphaned the AnonymousLabel event: the label is pending again (it keeps its
    item's slot) until the relayer's transaction lands on the new branch, whose event confirms the
    same record again. Returns how many labels went back (0 or 1)."""
    job = Job.objects.filter(instance_address__iexact=job_address).first()
    if job is None:
        return 0
    orphaned = AnonymousLabel.objects.filter(
        job=job,
        nullifier=str(nullifier),
        tx_hash=tx_hash,
        status__in=[AnonymousLabel.Status.CONFIRMED, AnonymousLabel.Status.REJECTED],
    ).update(status=AnonymousLabel.Status.PENDING, block_number=None, error="")
    if orphaned:
        emit(LabelsUnconfirmed(job_id=job.pk, worker_ids=(), kind=VoteKind.ANONYMOUS))
    return orphaned


# --- settlement: the anonymous pool ---------------------------------------------------------


def anonymous_pool_account() -> str:
    """The payout-tree account of the anonymous pool: the AnonymousRewards contract."""
    return contract("AnonymousRewards", w3=get_web3()).address


def record_anonymous_pool(
    *,
    job: Job,
    leaf_index: int,
    amount: int,
    proof: list[str],
    reward_per_label: int,
    correct_nullifiers: list[str],
) -> AnonymousPool:
    """Called by settlement's COMPUTED step, in its transaction: the pool is frozen with the payouts."""
    pool, _ = AnonymousPool.objects.get_or_create(
        job=job,
        defaults={
            "leaf_index": leaf_index,
            "amount": amount,
            "proof": proof,
            "reward_per_label": reward_per_label,
            "correct_count": len(correct_nullifiers),
            "correct_nullifiers": correct_nullifiers,
        },
    )
    return pool


def settle_anonymous_pool(*, job: Job) -> AnonymousPool | None:
    """After the payout root is on chain: post the correct-labels root, then pull the pool's leaf
    into AnonymousRewards. Each step reads the chain first, so a run killed between a mined
    transaction and its UPDATE records it instead of sending it again."""
    pool = AnonymousPool.objects.filter(job=job).first()
    if pool is None:
        return None
    rewards = contract("AnonymousRewards", w3=get_web3())
    oracle = oracle_account()
    root, *_, pulled, _ = rewards.functions.pool(job.instance_address).call()
    if not root:
        anonymous_rewards.post_correct_root(
            rewards=rewards,
            job=job.instance_address,
            nullifiers=[int(n) for n in pool.correct_nullifiers],
            reward_per_label=int(pool.reward_per_label),
            oracle=oracle,
        )
        root = rewards.functions.pool(job.instance_address).call()[0]
    AnonymousPool.objects.filter(pk=pool.pk, correct_root="").update(correct_root=str(root))
    if not pulled:
        payout = Payout(index=pool.leaf_index, account=rewards.address, amount=int(pool.amount))
        proof = [bytes.fromhex(h.removeprefix("0x")) for h in pool.proof]
        sent = anonymous_rewards.pull_pool(
            rewards=rewards, job=job.instance_address, payout=payout, proof=proof, sender=oracle
        )
        AnonymousPool.objects.filter(pk=pool.pk, pull_tx="").update(pull_tx=sent.tx_hash)
    pool.refresh_from_db()
    return pool


# --- anonymous reward claims ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ClaimRequest:
    count: int
    recipient: str
    claim_nullifiers: tuple[int, ...]  # CLAIM_SLOTS entries, 0 for unused slots
    proof: tuple[int, ...]  # 8 words


def relay_claim(*, job: Job, claim: ClaimRequest) -> str:
    """Send a labeler's anonymous claim from the relayer key after an eth_call shows the contract
    takes it (proof, unspent claim nullifiers, pool pulled); returns the transaction hash. The
    recipient is bound inside the proof, so the relayer cannot redirect the reward."""
    if not job.anonymous or not AnonymousPool.objects.filter(job=job).exclude(pull_tx="").exists():
        raise NotAllowed("This job has no anonymous rewards to claim (yet).")
    rewards = contract("AnonymousRewards", w3=get_web3())
    proof = anonymous_rewards.ClaimProof(
        count=claim.count, claim_nullifiers=list(claim.claim_nullifiers), proof=list(claim.proof), ms=0
    )
    relayer = relayer_account()
    try:
        anonymous_rewards.check_claim(
            rewards=rewards, job=job.instance_address, recipient=claim.recipient, claim=proof, relayer=relayer.address
        )
    except TransactionFailed as error:
        # Each correct label can be claimed once, so a full pool means these were claimed too.
        if error.reason in ("NullifierSpent", "PoolExhausted"):
            raise Conflict("These labels have been claimed already.") from error
        raise LabelingError(f"The chain would refuse this claim: {error.reason}.") from error
    try:
        sent = anonymous_rewards.relay_claim(
            rewards=rewards, job=job.instance_address, recipient=claim.recipient, claim=proof, relayer=relayer
        )
    except TransactionFailed as error:
        raise LabelingError(f"The chain refused the claim: {error.reason}.") from error
    except NODE_ERRORS as error:
        raise LabelingError("The claim could not be sent to the chain; try again.") from error
    return sent.tx_hash
