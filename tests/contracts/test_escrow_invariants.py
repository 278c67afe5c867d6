"""Fuzzed invariants of a job's escrow: Hypothesis drives one JobInstance on anvil with random
sequences of calls by random actors (requester, oracle, guardian, workers, relayer, stranger) and,
after every call, checks what must always hold:

- conservation: the clone's balance + everything claimed + everything returned to the requester
  (refund, sweep) = the budget funded;
- nobody is paid more than its labels on chain × price (counted here from LabelsSubmitted events,
  not from the contract's own counter), and nobody is paid twice;
- no relay nonce counts twice; no label lands after the stop or the deadline;
- no refund or sweep while a root is pending in its dispute window.

Each example runs on a fresh chain snapshot. The default run is modest; `-m slow` runs a deeper one.
Run with `-s` to see how many sequences and calls were made.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest
from eth_account import Account
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from web3.logs import DISCARD

from apps.chain.client import TransactionFailed, send
from apps.chain.eip712 import sign_label_batch
from apps.chain.labels import pack_labels
from apps.chain.merkle import Payout, build_payout_tree
from crowdal_site.settings import ANVIL_DEV_KEY_11
from tests.chain_fixtures import DAY, TOKEN

NUM_ITEMS = 8
REDUNDANCY = 2
PRICE = TOKEN
BUDGET = 40 * TOKEN
WINDOW = 3_600
WORKERS = 3


@dataclass
class Counts:
    sequences: int = 0
    calls: int = 0
    accepted: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)


def machine_for(*, w3, deployed, make_job, roles, counts: Counts):
    guardian = Account.from_key(ANVIL_DEV_KEY_11)
    send(deployed.management.functions.setDisputeTerms(guardian.address, WINDOW), sender=roles.oracle)
    job = make_job(num_items=NUM_ITEMS, num_classes=2, redundancy=REDUNDANCY, price=PRICE, budget=BUDGET)
    workers = roles.workers[:WORKERS]
    send(job.instance.functions.admitWorkers([w.address for w in workers]), sender=roles.oracle)
    instance, token = job.instance, deployed.token
    actors = {
        "requester": job.requester,
        "oracle": roles.oracle,
        "guardian": guardian,
        "relayer": roles.relayer,
        "stranger": roles.stranger,
        **{f"worker{i}": w for i, w in enumerate(workers)},
    }
    names = sorted(actors)

    def mostly(*rightful: str):
        """Half the time an actor allowed to make the call, else anyone: valid calls drive the job on."""
        return st.one_of(st.sampled_from(rightful), st.sampled_from(names))

    class EscrowMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
            counts.sequences += 1
            self.labels = {w.address: 0 for w in actors.values()}  # from LabelsSubmitted events
            self.paid: dict[str, int] = {}
            self.returned = 0
            self.nonces: dict[str, set[int]] = {w.address: set() for w in workers}
            self.tree = None  # the pending or accepted root's tree and payouts
            self.payouts: dict[str, Payout] = {}

        def teardown(self):
            w3.provider.make_request("evm_revert", [self.snapshot])

        def call(self, rule_name: str, function, sender):
            counts.calls += 1
            counts.by_rule[rule_name] = counts.by_rule.get(rule_name, 0) + 1
            try:
                sent = send(function, sender=sender)
            except TransactionFailed:
                return None
            counts.accepted += 1
            return sent

        def chain_time(self) -> int:
            return w3.eth.get_block("latest")["timestamp"]

        def record_labels(self, sent):
            for log in instance.events.LabelsSubmitted().process_receipt(sent.receipt, errors=DISCARD):
                self.labels[log.args.worker] += len(log.args.labels) // 4

        def root_pending(self) -> bool:
            _, opens, *_ = instance.functions.settlementState().call()
            return opens != 0 and self.chain_time() < opens

        @rule(
            actor=mostly(*(f"worker{i}" for i in range(WORKERS))),
            items=st.lists(st.integers(0, NUM_ITEMS - 1), min_size=1, max_size=4, unique=True),
            label=st.integers(0, 1),
        )
        def submit_labels(self, actor, items, label):
            open_before = not instance.functions.settlementState().call()[0] and self.chain_time() < job.deadline
            sent = self.call(
                "submit_labels",
                instance.functions.submitLabels(pack_labels(item_ids=items, labels=[label] * len(items))),
                actors[actor],
            )
            if sent:
                assert open_before, "a label was accepted after labelling closed"
                self.record_labels(sent)

        @rule(
            worker=st.integers(0, WORKERS - 1),
            nonce=st.integers(1, 6),
            item=st.integers(0, NUM_ITEMS - 1),
            sender=st.sampled_from(names),
        )
        def relay_labels(self, worker, nonce, item, sender):
            account = workers[worker]
            signature = sign_label_batch(
                account=account,
                chain_id=w3.eth.chain_id,
                instance=instance.address,
                item_ids=[item],
                labels=[1],
                nonce=nonce,
            )
            packed = pack_labels(item_ids=[item], labels=[1])
            sent = self.call(
                "relay_labels",
                instance.functions.submitLabelsFor(account.address, packed, nonce, signature),
                actors[sender],
            )
            if sent:
                assert nonce not in self.nonces[account.address], "a relay nonce counted twice"
                self.nonces[account.address].add(nonce)
                self.record_labels(sent)

        @rule(actor=mostly("requester"))
        def stop(self, actor):
            if self.call("stop", instance.functions.stop(), actors[actor]):
                assert actor == "requester"

        @rule(seconds=st.sampled_from([60, WINDOW, DAY, 8 * DAY, 181 * DAY]))
        def wait(self, seconds):
            counts.calls += 1
            counts.by_rule["wait"] = counts.by_rule.get("wait", 0) + 1
            w3.provider.make_request("evm_increaseTime", [seconds])
            w3.provider.make_request("evm_mine", [])

        @rule(
            actor=mostly("oracle"),
            scale=st.lists(st.sampled_from([0, 1, 2]), min_size=WORKERS + 1, max_size=WORKERS + 1),
        )
        def settle(self, actor, scale):
            # Each worker's leaf is 0, its earned amount, or twice that; the last leaf is the oracle's own
            # (budget / 4 when scale says so): an oracle trying to pay itself or overpay someone.
            leaves = [
                Payout(i + 1, w.address, self.labels[w.address] * PRICE * s)
                for i, (w, s) in enumerate(zip(workers, scale))
            ]
            leaves.append(Payout(WORKERS + 1, roles.oracle.address, BUDGET // 4 * scale[-1]))
            tree = build_payout_tree(leaves)
            total = min(tree.total, BUDGET)
            if self.call("settle", instance.functions.settle(0, [], tree.root, total, "fuzz"), actors[actor]):
                assert actor == "oracle"
                self.tree, self.payouts = tree, {p.account: p for p in leaves}

        @precondition(lambda self: self.tree is not None)
        @rule(actor=mostly("requester", "guardian"))
        def cancel_root(self, actor):
            if self.call("cancel_root", instance.functions.cancelRoot("fuzz"), actors[actor]):
                assert actor in ("requester", "guardian")
                self.tree, self.payouts = None, {}

        @precondition(lambda self: self.tree is not None)
        @rule(actor=mostly("oracle", *(f"worker{i}" for i in range(WORKERS))))
        def claim(self, actor):
            account = actors[actor]
            payout = self.payouts.get(account.address)
            if payout is None:
                counts.by_rule["claim_without_leaf"] = counts.by_rule.get("claim_without_leaf", 0) + 1
                return
            function = instance.functions.claim(payout.index, payout.amount, self.tree.proofs[payout.index])
            if self.call("claim", function, account):
                assert account.address not in self.paid, "paid twice"
                self.paid[account.address] = payout.amount

        @rule(actor=mostly("requester"), which=st.sampled_from(["refund", "sweep"]))
        def take_back(self, actor, which):
            pending = self.root_pending()
            before = token.functions.balanceOf(job.requester.address).call()
            if self.call(which, getattr(instance.functions, which)(), actors[actor]):
                assert actor == "requester"
                assert not pending, f"{which} while a root was pending"
                self.returned += token.functions.balanceOf(job.requester.address).call() - before

        @rule(actor=mostly("requester"))
        def recover(self, actor):
            before = token.functions.balanceOf(actors[actor].address).call()
            if self.call("recover", instance.functions.recoverTokens(token.address), actors[actor]):
                raise AssertionError(
                    f"recovered {token.functions.balanceOf(actors[actor].address).call() - before} escrowed tokens"
                )

        @invariant()
        def escrow_is_conserved(self):
            held = token.functions.balanceOf(instance.address).call()
            assert held + sum(self.paid.values()) + self.returned == BUDGET
            assert instance.functions.escrowState().call()[0] == sum(self.paid.values())

        @invariant()
        def nobody_is_paid_above_its_labels(self):
            for account, amount in self.paid.items():
                assert amount <= self.labels[account] * PRICE, (
                    f"{account} paid {amount} for {self.labels[account]} labels"
                )

    return EscrowMachine


def run_fuzz(*, w3, deployed, make_job, roles, examples: int, steps: int) -> Counts:
    counts = Counts()
    machine = machine_for(w3=w3, deployed=deployed, make_job=make_job, roles=roles, counts=counts)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    print(
        f"\nescrow fuzz: {counts.sequences} sequences, {counts.calls} calls ({counts.accepted} accepted); "
        f"per rule {dict(sorted(counts.by_rule.items()))}"
    )
    return counts


def test_escrow_invariants_hold_under_random_calls(w3, deployed, make_job, roles):
    counts = run_fuzz(w3=w3, deployed=deployed, make_job=make_job, roles=roles, examples=15, steps=30)
    assert counts.sequences >= 15 and counts.accepted > 0


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("CROWDAL_DEEP_FUZZ") != "1",
    reason="the deep run (150 sequences × 50 calls, minutes) runs with CROWDAL_DEEP_FUZZ=1: on a loaded machine "
    "Hypothesis once saw a rule's precondition change between two runs of the same sequence (FlakyStrategyDefinition) "
    "— to be made independent of wall-clock time first",
)
def test_escrow_invariants_hold_under_many_random_calls(w3, deployed, make_job, roles):
    counts = run_fuzz(w3=w3, deployed=deployed, make_job=make_job, roles=roles, examples=150, steps=50)
    assert counts.sequences >= 150
