"""Gas per JobManagement / JobInstance operation, measured from receipts on a fresh anvil.

    .venv/bin/python benchmarks/gas.py          # table
    .venv/bin/python benchmarks/gas.py --json   # one JSON object of integer gas figures

Every figure is a receipt's gasUsed (21,000 base and calldata included), divided where the name says
"per". Batches are mixed as redundancy 3 mixes them: three workers label the same 32 items in turn, so
a third of the labels open an item's storage word and two thirds update one that holds votes.
Box votes (`box_*`) are one image per relayed transaction, as the labeling page sends them: a
min(count, 15) label plus a 32-byte commitment to the box set.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdal_site.settings")

import django  # noqa: E402

django.setup()

from eth_account import Account  # noqa: E402
from eth_account.signers.local import LocalAccount  # noqa: E402
from web3 import Web3  # noqa: E402
from web3.contract import Contract  # noqa: E402

from apps.chain.client import send  # noqa: E402
from apps.chain.deploy import deploy_unrecorded  # noqa: E402
from apps.chain.eip712 import box_batch_typed_data, sign_label_batch, sign_typed_data  # noqa: E402
from apps.chain.labels import pack_labels  # noqa: E402
from apps.chain.local_chain import dev_private_keys, start_local_chain  # noqa: E402
from apps.chain.merkle import Payout, build_payout_tree  # noqa: E402
from apps.chain.registry import contract_at, job_instance  # noqa: E402
from benchmarks.figures import print_figures

NUM_ITEMS = 1024
NUM_CLASSES = 4
REDUNDANCY = 3
BATCH = 32
PAYOUT_LEAVES = 128  # proof depth 7, a job paying ~100 workers
BUDGET = 10_000 * 10**18
REPORT_CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"


@dataclass(frozen=True)
class Setup:
    w3: Web3
    oracle: LocalAccount
    requester: LocalAccount
    relayer: LocalAccount
    token: Contract
    management: Contract


def fresh_account(w3: Web3) -> LocalAccount:
    """A funded account that holds no token, as a new labeler's wallet."""
    account = Account.create()
    w3.provider.make_request("anvil_setBalance", [account.address, hex(10**20)])
    return account


def batch(first_item: int, size: int = BATCH) -> tuple[list[int], list[int]]:
    items = list(range(first_item, first_item + size))
    return items, [item % NUM_CLASSES for item in items]


def box_vote(job: Contract, *, worker: LocalAccount, relayer: LocalAccount, item: int, boxes: int):
    """One image's box vote relayed with the worker's EIP-712 signature, as the labeling page sends it."""
    labels = pack_labels(item_ids=[item], labels=[boxes])
    commitments = [Web3.keccak(text=f"{boxes} boxes on item {item}")]
    typed = box_batch_typed_data(
        chain_id=job.w3.eth.chain_id,
        instance=job.address,
        worker=worker.address,
        labels=labels,
        commitments=commitments,
        nonce=1,
    )
    signature = sign_typed_data(account=worker, typed_data=typed)
    return send(job.functions.submitBoxesFor(worker.address, labels, commitments, 1, signature), sender=relayer)


def truth_words() -> list[int]:
    """Arbitrary valid truth: hash bits masked to 2 bits per 4-bit slot (NUM_CLASSES = 4)."""
    mask = int.from_bytes(b"\x33" * 32, "big")
    return [int.from_bytes(Web3.keccak(w.to_bytes(32, "big")), "big") & mask for w in range(NUM_ITEMS // 64)]


def measure(setup: Setup) -> dict[str, int]:
    w3, oracle = setup.w3, setup.oracle
    send(setup.token.functions.mint(setup.requester.address, BUDGET), sender=oracle)
    send(setup.token.functions.approve(setup.management.address, BUDGET), sender=setup.requester)
    deadline = w3.eth.get_block("latest")["timestamp"] + 86_400
    create = setup.management.functions.createJob(
        NUM_ITEMS, NUM_CLASSES, REDUNDANCY, 10**18, deadline, BUDGET, b"\x11" * 32
    )
    created = send(create, sender=setup.requester)
    job = job_instance(setup.management.functions.jobAt(0).call(), w3=w3)

    workers = [fresh_account(w3) for _ in range(2 * REDUNDANCY + 2)]
    admitted = send(job.functions.admitWorkers([w.address for w in workers]), sender=oracle)
    direct, relayed, singles = workers[:REDUNDANCY], workers[REDUNDANCY : 2 * REDUNDANCY], workers[2 * REDUNDANCY :]
    boxers = [fresh_account(w3) for _ in range(2)]
    send(job.functions.admitWorkers([w.address for w in boxers]), sender=oracle)

    items, labels = batch(0)
    packed = pack_labels(item_ids=items, labels=labels)
    direct_gas = sum(send(job.functions.submitLabels(packed), sender=w).gas_used for w in direct)

    items, labels = batch(BATCH)
    packed = pack_labels(item_ids=items, labels=labels)
    relayed_gas = 0
    for worker in relayed:
        signature = sign_label_batch(
            account=worker, chain_id=w3.eth.chain_id, instance=job.address, item_ids=items, labels=labels, nonce=1
        )
        relayed_gas += send(
            job.functions.submitLabelsFor(worker.address, packed, 1, signature), sender=setup.relayer
        ).gas_used

    box_fresh, box_voted = (
        box_vote(job, worker=w, relayer=setup.relayer, item=2 * BATCH + 1, boxes=3).gas_used for w in boxers
    )

    single = pack_labels(item_ids=[2 * BATCH], labels=[1])
    single_fresh = send(job.functions.submitLabels(single), sender=singles[0])
    single_voted = send(job.functions.submitLabels(single), sender=singles[1])

    weights = [16 - i for i in range(len(workers))]
    weighted = send(job.functions.setWeights([w.address for w in workers], weights), sender=oracle)
    reweighted = send(job.functions.setWeights([w.address for w in workers], weights[::-1]), sender=oracle)
    stopped = send(job.functions.stop(), sender=setup.requester)
    truth = send(job.functions.postTruth(0, truth_words()), sender=oracle)

    paid = [Payout(index=i + 1, account=w.address, amount=10**18) for i, w in enumerate(workers)]
    others = [
        Payout(index=i + 1, account=Account.create().address, amount=10**18) for i in range(len(paid), PAYOUT_LEAVES)
    ]
    tree = build_payout_tree(paid + others)
    root = send(job.functions.settle(0, [], tree.root, tree.total, REPORT_CID), sender=oracle)
    first_claim, second_claim = (
        send(job.functions.claim(p.index, p.amount, tree.proofs[p.index]), sender=w) for p, w in zip(paid[:2], workers)
    )
    refund = send(job.functions.refund(), sender=setup.requester)

    return {
        "create_job": created.gas_used,
        "admit_worker": admitted.gas_used // len(workers),
        "label_single": single_fresh.gas_used,
        "label_single_voted_item": single_voted.gas_used,
        "label_batch32_per_label": direct_gas // (REDUNDANCY * BATCH),
        "label_relayed_batch32_per_label": relayed_gas // (REDUNDANCY * BATCH),
        "box_relayed_single": box_fresh,
        "box_relayed_single_voted_item": box_voted,
        "post_truth_per_item": truth.gas_used // NUM_ITEMS,
        "set_weights_per_worker": weighted.gas_used // len(workers),
        "set_weights_again_per_worker": reweighted.gas_used // len(workers),
        "stop": stopped.gas_used,
        "settle_root": root.gas_used,
        "claim": first_claim.gas_used,
        "claim_second": second_claim.gas_used,
        "refund": refund.gas_used,
    }


def run() -> dict[str, int]:
    oracle, requester, relayer = (Account.from_key(key) for key in dev_private_keys(3))
    with start_local_chain() as chain:
        w3 = Web3(Web3.HTTPProvider(chain.url))
        deployments = deploy_unrecorded(w3=w3, deployer=oracle)
        setup = Setup(
            w3=w3,
            oracle=oracle,
            requester=requester,
            relayer=relayer,
            token=contract_at("CrowdToken", deployments["CrowdToken"].address, w3=w3),
            management=contract_at("JobManagement", deployments["JobManagement"].address, w3=w3),
        )
        return measure(setup)


def main() -> None:
    print_figures(run, description=__doc__.splitlines()[0], heading=("operation", "gas"))


if __name__ == "__main__":
    main()
