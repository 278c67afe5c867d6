"""Anonymous reward claim: gas of AnonymousRewards.claim and Node proving time, on a fresh anvil.

    .venv/bin/python benchmarks/zk_claim.py          # table
    .venv/bin/python benchmarks/zk_claim.py --json   # {"anon_claim_gas", "anon_claim_gas_1", "claim_proof_ms_node"}

A settled job has CORRECT correct anonymous labels; one identity owns 9 of them and claims them with
a full proof (all 8 slots: `anon_claim_gas`, the receipt's gasUsed, 21,000 base and calldata
included) and then the ninth alone (`anon_claim_gas_1`). `anon_claim_replayed_gas` is what a copy of
the full claim sent again costs the relayer (the reverted receipt's gasUsed; the contract refuses
spent nullifiers before verifying the proof). `claim_proof_ms_node` is the median
wall-clock time of zk/claim/prove.mjs's proof (witness + Groth16, the tree built from all leaves),
without Node's start-up. The job's anonymous label count is written into AnonymousLabels' storage
(the correct labels here are made-up nullifiers, not proven labels) so the pool leaf is within it.
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdal_site.settings")

import django  # noqa: E402

django.setup()

from eth_account import Account  # noqa: E402
from web3 import Web3  # noqa: E402

from apps.chain.anonymous_rewards import (  # noqa: E402
    CLAIM_SLOTS,
    anonymous_pool_payout,
    claim_function,
    post_correct_root,
    prove_claim,
    pull_pool,
    relay_claim,
    run_zk_claim_helper,
)
from apps.chain.client import send  # noqa: E402
from apps.chain.deploy import deploy_unrecorded  # noqa: E402
from apps.chain.local_chain import dev_private_keys, start_local_chain  # noqa: E402
from apps.chain.merkle import build_payout_tree  # noqa: E402
from apps.chain.registry import contract_at, job_instance  # noqa: E402
from benchmarks.figures import print_figures
from tests.contracts.support import set_anonymous_label_count  # noqa: E402

CORRECT = 256
OWN = CLAIM_SLOTS + 1
REWARD = 10**18
BUDGET = 10_000 * 10**18
PROOF_RUNS = 3


def reverted_gas(w3: Web3, function, *, sender) -> int:
    """gasUsed of `function` sent with a fixed gas limit, so it is mined even though it reverts."""
    tx = function.build_transaction(
        {"from": sender.address, "gas": 1_000_000, "nonce": w3.eth.get_transaction_count(sender.address)}
    )
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(sender.sign_transaction(tx).raw_transaction)
    )
    assert receipt["status"] == 0, "the replayed claim was accepted"
    return receipt["gasUsed"]


def run() -> dict[str, int]:
    oracle, requester, relayer = (Account.from_key(key) for key in dev_private_keys(3))
    with start_local_chain() as chain:
        w3 = Web3(Web3.HTTPProvider(chain.url))
        deployments = deploy_unrecorded(w3=w3, deployer=oracle)
        token = contract_at("CrowdToken", deployments["CrowdToken"].address, w3=w3)
        management = contract_at("JobManagement", deployments["JobManagement"].address, w3=w3)
        rewards = contract_at("AnonymousRewards", deployments["AnonymousRewards"].address, w3=w3)

        send(token.functions.mint(requester.address, BUDGET), sender=oracle)
        send(token.functions.approve(management.address, BUDGET), sender=requester)
        deadline = w3.eth.get_block("latest")["timestamp"] + 86_400
        send(management.functions.createJob(1024, 4, 3, REWARD, deadline, BUDGET, b"\x11" * 32), sender=requester)
        job = job_instance(management.functions.jobAt(0).call(), w3=w3)

        secret = secrets.randbelow(2**250)
        scopes = [secrets.randbelow(2**248) for _ in range(OWN)]
        mine = run_zk_claim_helper("tree.mjs", {"secret": secret, "scopeHashes": scopes})
        own = [int(n) for n in mine["labelNullifiers"]]
        correct = own + [secrets.randbelow(2**253) + 1 for _ in range(CORRECT - OWN)]

        pool = anonymous_pool_payout(rewards=rewards, index=1, reward_per_label=REWARD, correct_count=CORRECT)
        tree = build_payout_tree([pool])
        send(job.functions.stop(), sender=requester)
        send(job.functions.settle(0, [], tree.root, tree.total, "report"), sender=oracle)
        labels = contract_at("AnonymousLabels", deployments["AnonymousLabels"].address, w3=w3)
        set_anonymous_label_count(w3, labels, job.address, CORRECT)
        post_correct_root(rewards=rewards, job=job.address, nullifiers=correct, reward_per_label=REWARD, oracle=oracle)
        pull_pool(rewards=rewards, job=job.address, payout=pool, proof=tree.proofs[1], sender=relayer)

        root = rewards.functions.pool(job.address).call()[0]
        job_scope = rewards.functions.jobScope(job.address).call()

        def prove(labels: list[int], recipient: str):
            return prove_claim(
                secret=secret, scope_hashes=labels, correct=correct, root=root, job_scope=job_scope, recipient=recipient
            )

        full_recipient = Account.create().address
        proofs = [prove(scopes[:CLAIM_SLOTS], full_recipient) for _ in range(PROOF_RUNS)]
        full = relay_claim(rewards=rewards, job=job.address, recipient=full_recipient, claim=proofs[0], relayer=relayer)
        replay = claim_function(rewards=rewards, job=job.address, recipient=full_recipient, claim=proofs[0])
        replayed = reverted_gas(w3, replay, sender=relayer)
        single_recipient = Account.create().address
        single = relay_claim(
            rewards=rewards,
            job=job.address,
            recipient=single_recipient,
            claim=prove(scopes[CLAIM_SLOTS:], single_recipient),
            relayer=relayer,
        )
        return {
            "anon_claim_gas": full.gas_used,
            "anon_claim_gas_1": single.gas_used,
            "anon_claim_replayed_gas": replayed,
            "claim_proof_ms_node": int(statistics.median(p.ms for p in proofs)),
        }


def main() -> None:
    print_figures(run, description=__doc__.splitlines()[0], heading=("claim", "gas"))


if __name__ == "__main__":
    main()
