"""The audit of a settled job: does every token paid map to labels the chain verified?

Three sources are laid side by side and every disagreement is an anomaly: the chain (escrow state,
Claimed / Refunded / PayoutRootPosted / LabelsSubmitted logs), the settlement report named on chain
(stored by content id), and the database (Payout and Label rows). A clean settlement has none; a
tampered database row, a report the root does not commit to, or a claim nobody settled shows up.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.http import Http404

from apps.chain.escrow import ChainVote, EscrowRecord, escrow_record
from apps.chain.merkle import Payout as Leaf
from apps.chain.merkle import build_payout_tree
from apps.jobs.models import Job
from apps.labeling.models import Label
from apps.lib.errors import AppError
from apps.rewards.models import Payout
from apps.storage.backends import BlobStoreError
from apps.storage.selectors import read_blob

AUDITABLE = (Job.Status.SETTLED, Job.Status.REFUNDED)


class NotSettled(AppError):
    """The job has no payouts to audit yet."""

    status = 409
    code = "not_settled"


@dataclass(frozen=True)
class LabelTx:
    tx_hash: str
    block_number: int | None
    labels: int


@dataclass(frozen=True)
class WorkerAudit:
    address: str
    leaf_index: int | None
    amount: int
    labels: int  # as the report counted them
    correct: int
    accuracy: float
    verified_labels: int  # confirmed labels the chain's LabelsSubmitted events carry
    reward_per_label: float  # amount / labels, in base units: pay follows accuracy
    claim_tx: str
    claim_block: int | None
    label_txs: list[LabelTx]


@dataclass(frozen=True)
class Anomaly:
    kind: str
    detail: str
    worker: str = ""


@dataclass(frozen=True)
class Flows:
    """Token flow, all from the chain: funded = paid + refunded + held."""

    funded: int
    paid: int
    refunded: int
    held: int
    total_payout: int
    balanced: bool


@dataclass
class JobAudit:
    job_id: int
    name: str
    instance: str
    chain_id: int | None
    status: str
    method: str
    report_cid: str
    payout_root: str
    flows: Flows
    workers: list[WorkerAudit]
    anomalies: list[Anomaly] = field(default_factory=list)


def audited_job(*, job_id: int, user) -> Job:
    """The job if `user` may audit it (its requester, or staff); Http404 otherwise, so a stranger
    does not learn that it exists."""
    job = Job.objects.filter(pk=job_id).select_related("settlement").first()
    if job is None or not (user.is_authenticated and (user.is_staff or job.requester_id == user.pk)):
        raise Http404("No job you may audit has this id.")
    if job.status not in AUDITABLE or not job.instance_address:
        raise NotSettled(f"The job is {job.status}: its audit follows settlement.")
    return job


def _report(*, job: Job, chain: EscrowRecord, anomalies: list[Anomaly]) -> dict:
    """The report the chain names; a report the database names instead is an anomaly."""
    db_cid = job.settlement.report_cid if hasattr(job, "settlement") else ""
    if len(chain.report_cids) != 1:
        anomalies.append(Anomaly("report_not_on_chain", f"{len(chain.report_cids)} PayoutRootPosted events"))
    cid = chain.report_cids[0] if chain.report_cids else db_cid
    if db_cid != cid:
        anomalies.append(Anomaly("report_mismatch", f"database names report {db_cid}, the chain {cid}"))
    try:
        return json.loads(read_blob(cid))
    except (BlobStoreError, ValueError) as error:
        anomalies.append(Anomaly("report_unreadable", f"report {cid}: {error}"))
        return {"workers": [], "root": "", "method": ""}


def _check_root(*, report: dict, chain: EscrowRecord, anomalies: list[Anomaly]) -> dict[int, Leaf]:
    """The report's payout leaves by index, after checking the on-chain root commits to exactly them."""
    leaves = {
        w["leaf_index"]: Leaf(index=w["leaf_index"], account=w["address"], amount=int(w["amount"]))
        for w in report["workers"]
        if w["leaf_index"] is not None
    }
    root = "0x" + build_payout_tree(list(leaves.values())).root.hex() if leaves else "0x" + "00" * 32
    if root != chain.payout_root or report.get("root") != chain.payout_root:
        anomalies.append(Anomaly("root_mismatch", f"report leaves hash to {root}, the chain holds {chain.payout_root}"))
    if sum(leaf.amount for leaf in leaves.values()) != chain.total_payout:
        anomalies.append(Anomaly("total_mismatch", f"report leaves sum to other than the chain's {chain.total_payout}"))
    return leaves


def _verified_labels(*, job: Job, chain: EscrowRecord, anomalies: list[Anomaly]) -> dict[str, list[ChainVote]]:
    """Per worker address (lower case), the votes on chain that back its confirmed label rows: same
    worker, item and class, in the transaction the row names. Each vote backs one row at most."""
    votes = {(v.tx_hash.lower(), v.worker.lower(), v.item_index, v.label): v for v in chain.votes}
    used: Counter = Counter()
    verified: dict[str, list[ChainVote]] = defaultdict(list)
    rows = Label.objects.filter(job=job, status=Label.Status.CONFIRMED).select_related("worker", "item")
    per_item = Counter((label.worker.address.lower(), label.item.index) for label in rows)
    for (worker, item), count in per_item.items():
        if count > 1:
            anomalies.append(Anomaly("label_counted_twice", f"item {item} has {count} confirmed labels", worker))
    for label in rows:
        worker = label.worker.address.lower()
        key = (label.tx_hash.lower(), worker, label.item.index, label.label_index)
        if key not in votes:
            detail = f"label {label.pk} (item {label.item.index}) is not in tx {label.tx_hash or '-'}"
            anomalies.append(Anomaly("label_not_on_chain", detail, worker))
            continue
        used[key] += 1
        if used[key] > 1:
            detail = f"label {label.pk} repeats a vote of tx {label.tx_hash}"
            anomalies.append(Anomaly("label_counted_twice", detail, worker))
            continue
        verified[worker].append(votes[key])
    return verified


def _label_txs(votes: list[ChainVote]) -> list[LabelTx]:
    per_tx = Counter((vote.block_number, vote.tx_hash) for vote in votes)
    return [LabelTx(tx_hash=tx, block_number=block, labels=n) for (block, tx), n in sorted(per_tx.items())]


def _check_claims(*, chain: EscrowRecord, leaves: dict[int, Leaf], anomalies: list[Anomaly]) -> None:
    for claim in chain.claims:
        leaf = leaves.get(claim.index)
        if leaf is None or (leaf.account.lower(), leaf.amount) != (claim.account.lower(), claim.amount):
            detail = f"leaf {claim.index} claimed in {claim.tx_hash}"
            anomalies.append(Anomaly("claim_not_in_report", detail, claim.account.lower()))


def _check_payouts(*, job: Job, chain: EscrowRecord, leaves: dict[int, Leaf], anomalies: list[Anomaly]) -> None:
    """Payout rows against the report's leaves, and the claims they record against the chain's."""
    claim_txs = {claim.index: claim.tx_hash for claim in chain.claims}
    rows = {p.index: p for p in Payout.objects.filter(job=job).select_related("worker")}
    for index in sorted(rows.keys() | leaves.keys()):
        payout, leaf = rows.get(index), leaves.get(index)
        who = payout.worker.address.lower() if payout else leaf.account.lower() if leaf else ""
        as_row = (payout.worker.address.lower(), int(payout.amount)) if payout else None
        if leaf is None or as_row != (leaf.account.lower(), leaf.amount):
            anomalies.append(Anomaly("payout_not_in_report", f"payout leaf {index} differs from the report", who))
        # A claim the database records must be on chain (one on chain not recorded yet is indexer lag).
        if payout is not None and payout.claim_tx and payout.claim_tx.lower() != claim_txs.get(index, ""):
            detail = f"leaf {index} recorded as claimed in {payout.claim_tx}"
            anomalies.append(Anomaly("claim_not_on_chain", detail, who))


def _worker_audits(
    *, report: dict, chain: EscrowRecord, verified: dict[str, list[ChainVote]], anomalies: list[Anomaly]
) -> list[WorkerAudit]:
    """One row per worker of the report (paid or not), then workers whose verified labels the report
    does not count: labels confirmed after the settlement froze (the contract takes them until the
    root is posted) are unpaid, not an anomaly, and listed so the requester sees them."""
    claims = {claim.index: claim for claim in chain.claims}
    workers = []
    for entry in report["workers"]:
        address, amount, counted = entry["address"].lower(), int(entry["amount"]), entry["labels"]
        votes = verified.get(address, [])
        if amount and not votes:
            anomalies.append(Anomaly("payout_without_labels", f"{amount} paid with no verified label", address))
        elif counted > len(votes):
            detail = f"report counts {counted} labels, {len(votes)} verified"
            anomalies.append(Anomaly("payout_without_labels", detail, address))
        if amount > chain.price_per_label * entry["correct"]:
            detail = f"{amount} > price x {entry['correct']} correct"
            anomalies.append(Anomaly("reward_above_accuracy", detail, address))
        claim = claims.get(entry["leaf_index"]) if entry["leaf_index"] is not None else None
        workers.append(
            WorkerAudit(
                address=entry["address"],
                leaf_index=entry["leaf_index"],
                amount=amount,
                labels=counted,
                correct=entry["correct"],
                accuracy=entry["accuracy"],
                verified_labels=len(votes),
                reward_per_label=amount / counted if counted else 0.0,
                claim_tx=claim.tx_hash if claim else "",
                claim_block=claim.block_number if claim else None,
                label_txs=_label_txs(votes),
            )
        )
    reported = {entry["address"].lower() for entry in report["workers"]}
    for address in sorted(verified.keys() - reported):
        votes = verified[address]
        workers.append(
            WorkerAudit(
                address=votes[0].worker,
                leaf_index=None,
                amount=0,
                labels=0,
                correct=0,
                accuracy=0.0,
                verified_labels=len(votes),
                reward_per_label=0.0,
                claim_tx="",
                claim_block=None,
                label_txs=_label_txs(votes),
            )
        )
    return sorted(workers, key=lambda w: (w.leaf_index is None, w.leaf_index or 0, w.address.lower()))


def _flows(*, job: Job, chain: EscrowRecord, anomalies: list[Anomaly]) -> Flows:
    paid = sum(claim.amount for claim in chain.claims)
    flows = Flows(
        funded=chain.budget,
        paid=paid,
        refunded=chain.refunded,
        held=chain.held,
        total_payout=chain.total_payout,
        balanced=chain.budget == paid + chain.refunded + chain.held,
    )
    if not flows.balanced:
        anomalies.append(Anomaly("flows_unbalanced", f"funded {flows.funded} != paid + refunded + held"))
    if paid != chain.paid:
        anomalies.append(Anomaly("claims_mismatch", f"Claimed events sum to {paid}, the contract counts {chain.paid}"))
    if int(job.budget) != chain.budget:
        anomalies.append(Anomaly("budget_mismatch", f"database budget {job.budget}, escrowed {chain.budget}"))
    return flows


def job_audit(*, job: Job) -> JobAudit:
    """The audit of a settled job (see the module's docstring). Reads the chain: seconds, not ms."""
    anomalies: list[Anomaly] = []
    chain = escrow_record(instance_address=job.instance_address, created_tx=job.created_tx)
    report = _report(job=job, chain=chain, anomalies=anomalies)
    leaves = _check_root(report=report, chain=chain, anomalies=anomalies)
    verified = _verified_labels(job=job, chain=chain, anomalies=anomalies)
    _check_claims(chain=chain, leaves=leaves, anomalies=anomalies)
    _check_payouts(job=job, chain=chain, leaves=leaves, anomalies=anomalies)
    workers = _worker_audits(report=report, chain=chain, verified=verified, anomalies=anomalies)
    return JobAudit(
        job_id=job.pk,
        name=job.name,
        instance=job.instance_address,
        chain_id=job.chain_id,
        status=job.status,
        method=report.get("method", ""),
        report_cid=chain.report_cids[0] if chain.report_cids else "",
        payout_root=chain.payout_root,
        flows=_flows(job=job, chain=chain, anomalies=anomalies),
        workers=workers,
        anomalies=anomalies,
    )


CSV_COLUMNS = [
    "row",
    "worker",
    "leaf_index",
    "amount",
    "labels",
    "correct",
    "accuracy",
    "verified_labels",
    "claim_tx",
    "claim_block",
    "label_tx",
    "label_block",
    "labels_in_tx",
    "detail",
]


def audit_rows(audit: JobAudit) -> list[dict]:
    """The CSV export: one row per worker and label transaction, then the token flow, then one row per
    anomaly (none in a clean audit)."""
    rows = []
    for w in audit.workers:
        base = {
            "worker": w.address,
            "leaf_index": "" if w.leaf_index is None else w.leaf_index,
            "amount": w.amount,
            "labels": w.labels,
            "correct": w.correct,
            "accuracy": w.accuracy,
            "verified_labels": w.verified_labels,
            "claim_tx": w.claim_tx,
            "claim_block": w.claim_block or "",
        }
        for tx in w.label_txs or [LabelTx(tx_hash="", block_number=None, labels=0)]:
            rows.append(
                {
                    "row": "label_tx",
                    **base,
                    "label_tx": tx.tx_hash,
                    "label_block": tx.block_number or "",
                    "labels_in_tx": tx.labels,
                }
            )
    f = audit.flows
    rows.append(
        {
            "row": "flow",
            "detail": f"funded={f.funded} paid={f.paid} refunded={f.refunded} held={f.held} "
            f"total_payout={f.total_payout} balanced={f.balanced}",
        }
    )
    rows.extend({"row": "anomaly", "worker": a.worker, "detail": f"{a.kind}: {a.detail}"} for a in audit.anomalies)
    return [{column: row.get(column, "") for column in CSV_COLUMNS} for row in rows]
