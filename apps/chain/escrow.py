"""A job's escrow as the chain records it, for audits: the budget funded, every claim, the refund,
what the clone still holds, the payout root and the votes. Read from the node (state and logs), never
from the database, so an audit can compare the two. Also the settlement terms (when a root may be
posted, when its claims open and close) that settlement and the claim API follow."""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3

from apps.chain.client import get_web3
from apps.chain.labels import unpack_labels
from apps.chain.registry import contract_at, job_instance


@dataclass(frozen=True)
class ChainClaim:
    index: int
    account: str
    amount: int
    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class ChainVote:
    """One label as a LabelsSubmitted event carried it."""

    worker: str
    item_index: int
    label: int
    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class EscrowRecord:
    budget: int  # what createJob escrowed (the clone's immutable argument)
    price_per_label: int
    total_payout: int  # the payout total postPayoutRoot committed to
    paid: int  # the contract's running sum of claims
    refunded: int  # sum of Refunded and Swept events
    held: int  # CrowdToken balance of the clone now
    settled: bool
    payout_root: str
    report_cids: list[str]  # of PayoutRootPosted events (one, unless something is badly wrong)
    claims: list[ChainClaim]
    votes: list[ChainVote]


def escrow_record(*, instance_address: str, created_tx: str = "", w3: Web3 | None = None) -> EscrowRecord:
    """Everything the chain says about one job's money and labels: logs from the block of
    `created_tx` (the createJob transaction) on, or from genesis without it."""
    w3 = w3 or get_web3()
    from_block = w3.eth.get_transaction_receipt(created_tx)["blockNumber"] if created_tx else 0
    instance = job_instance(instance_address, w3=w3)
    params = instance.functions.params().call()
    token_address, price, budget = params[2], params[7], params[8]
    paid, total_payout, settled, _ = instance.functions.escrowState().call()
    held = contract_at("CrowdToken", token_address, w3=w3).functions.balanceOf(instance.address).call()
    events = instance.events

    def logs(name: str) -> list:
        found = getattr(events, name)().get_logs(from_block=from_block)
        return sorted(found, key=lambda log: (log.blockNumber, log.logIndex))

    claims = [
        ChainClaim(
            index=log.args.index,
            account=log.args.account,
            amount=log.args.amount,
            tx_hash=log.transactionHash.to_0x_hex(),
            block_number=log.blockNumber,
        )
        for log in logs("Claimed")
    ]
    votes = [
        ChainVote(
            worker=log.args.worker,
            item_index=item,
            label=label,
            tx_hash=log.transactionHash.to_0x_hex(),
            block_number=log.blockNumber,
        )
        for log in logs("LabelsSubmitted")
        for item, label in unpack_labels(bytes(log.args.labels))
    ]
    return EscrowRecord(
        budget=budget,
        price_per_label=price,
        total_payout=total_payout,
        paid=paid,
        refunded=sum(log.args.amount for log in [*logs("Refunded"), *logs("Swept")]),
        held=held,
        settled=settled,
        payout_root="0x" + instance.functions.payoutRoot().call().hex(),
        report_cids=[log.args.reportCid for log in logs("PayoutRootPosted")],
        claims=claims,
        votes=votes,
    )


@dataclass(frozen=True)
class SettlementTerms:
    """JobInstance.settlementState plus the two facts settlement needs: whether a root may be posted
    now (labelling closed: the deadline passed or the requester stopped) and the chain's time."""

    stopped: bool
    deadline: int
    claims_open_at: int  # 0 while no root is posted
    claim_deadline: int
    swept: bool
    guardian: str
    dispute_window: int
    chain_time: int

    @property
    def due(self) -> bool:
        return self.stopped or self.chain_time > self.deadline

    @property
    def claimable(self) -> bool:
        return 0 < self.claims_open_at <= self.chain_time < self.claim_deadline


def settlement_terms(*, instance_address: str, w3: Web3 | None = None) -> SettlementTerms:
    w3 = w3 or get_web3()
    instance = job_instance(instance_address, w3=w3)
    stopped, opens, closes, swept, guardian, window = instance.functions.settlementState().call()
    return SettlementTerms(
        stopped=stopped,
        deadline=instance.functions.params().call()[6],
        claims_open_at=opens,
        claim_deadline=closes,
        swept=swept,
        guardian=guardian,
        dispute_window=window,
        chain_time=w3.eth.get_block("latest")["timestamp"],
    )
