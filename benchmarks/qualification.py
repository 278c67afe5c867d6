"""Qualification and integrity benchmark: who gets through, who is wrongly stopped, which sybil rings
are found — on simulated populations run through the project's own code on a real anvil chain.

Per repetition, a fresh job (10 classes, 400 items of which 40 gold, a qualification round of 10
gold items with pass bar 0.7, at most 3 attempts; the gold split as going live splits it, 20 for
qualification and 20 honeypots, apps.jobs.gold) and a fresh population of wallets:

- honest workers, accuracy ~U(0.7, 0.95), answer times lognormal around 1.5-4 s; each wallet's first
  ETH comes from its own funder, and a fifth of them also get tokens from one exchange hot wallet
  (listed in INTEGRITY_IGNORED_FUNDERS, as an operator would list it);
- uniform spammers (a class at random), half of them scripts answering in ~0.3 s, each funded apart;
- sybil rings of 3-5 wallets run by one skilled operator (accuracy ~U(0.75, 0.9)): every wallet
  qualifies on its own round, then all of them label the operator's items with the operator's
  answers, each answer replaced by a random class with probability 0.1 (noise against copy checks).
  "Funded" rings get each wallet's first ETH from the ring's wallet; "evasive" rings route it through
  a fresh intermediate wallet per member, so only the answer patterns can give them away.

Qualification is the labeling app's own rounds (start_qualification / answer_qualification, wallets
admitted on chain by admitWorkers; the wait between attempts is skipped by back-dating the attempt).
Admitted workers then label 60 items each (10% honeypots, from the honeypot gold only; ~7 other workers' labels per item,
as the job's redundancy arranges, so a ring's items are seen by outsiders too); the labels are written as confirmed
label records (they are not sent on chain: this measures the decisions, not the transport), and
apps.integrity.services.assess_job — the code settlement runs — computes every signal, reading the
wallets' first funders from the chain.

    spammers_admitted     spammers admitted by qualification and not flagged by any signal / spammers
    honest_rejected       honest workers refused by qualification or flagged by any signal / honest
    sybil_recall          admitted rings (2+ wallets through) of which one detected cluster holds at
                          least 2/3 of the admitted wallets / admitted rings
    sybil_false_positive  admitted non-sybil workers placed in any sybil cluster / admitted non-sybil

    python benchmarks/qualification.py [--json] [--repeat N] [--honest N] [--spammers N] [--rings N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
_scratch = tempfile.mkdtemp(prefix="crowdal-qualification-")
os.environ["DATABASE_URL"] = f"sqlite:///{_scratch}/db.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdal_site.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from eth_account import Account  # noqa: E402
from web3 import Web3  # noqa: E402
from web3.logs import DISCARD  # noqa: E402

from apps.chain.client import oracle_account, send  # noqa: E402
from apps.chain.deploy import deploy_contracts  # noqa: E402
from apps.chain.local_chain import dev_private_keys, start_local_chain  # noqa: E402
from apps.chain.registry import contract  # noqa: E402
from apps.integrity.services import assess_job, wallet_funders  # noqa: E402
from apps.jobs.models import GoldAnswer, GoldRole, Item, Job, LabelClass  # noqa: E402
from apps.jobs.services import split_gold  # noqa: E402
from apps.labeling.models import Label, LabelBatch, Qualification  # noqa: E402
from apps.labeling.qualification import answer_qualification, start_qualification  # noqa: E402
from apps.labeling.services import LabelingError  # noqa: E402
from apps.storage.services import store_blob  # noqa: E402

N_CLASSES, N_ITEMS, N_GOLD = 10, 400, 40
QUALIFICATION_SIZE, PASS_BAR, MAX_ATTEMPTS = 10, 0.7, 3
ITEMS_PER_WORKER, HONEYPOT_RATE, COPY_NOISE = 60, 0.1, 0.1
TOKEN = 10**18


class Population:
    """Wallets with their kind, accuracy, ring and answer-time model."""

    def __init__(self, *, rng: np.random.Generator, honest: int, spammers: int, rings: int) -> None:
        self.workers: list[dict] = []
        for _ in range(honest):
            self._add(kind="honest", accuracy=rng.uniform(0.7, 0.95), ms=rng.uniform(1500, 4000), rng=rng)
        for k in range(spammers):
            self._add(
                kind="spammer", accuracy=1 / N_CLASSES, ms=300 if k % 2 == 0 else rng.uniform(1500, 4000), rng=rng
            )
        self.rings = []
        for r in range(rings):
            accuracy, size = rng.uniform(0.75, 0.9), int(rng.integers(3, 6))
            members = [
                self._add(kind="sybil", accuracy=accuracy, ms=rng.uniform(1500, 4000), rng=rng, ring=r)
                for _ in range(size)
            ]
            self.rings.append({"members": members, "evasive": r % 2 == 1})

    def _add(self, *, kind: str, accuracy: float, ms: float, rng, ring: int | None = None) -> int:
        self.workers.append({"kind": kind, "accuracy": accuracy, "ms": ms, "ring": ring, "account": Account.create()})
        return len(self.workers) - 1


def answer(rng, truth: int, accuracy: float) -> int:
    return truth if rng.random() < accuracy else int((truth + rng.integers(1, N_CLASSES)) % N_CLASSES)


def send_eth(w3: Web3, sender, to: str, value: int) -> None:
    tx = {
        "to": to, "value": value, "gas": 21_000, "gasPrice": w3.eth.gas_price, "chainId": w3.eth.chain_id,
        "nonce": w3.eth.get_transaction_count(sender.address, "pending"),
    }  # fmt: skip
    w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(sender.sign_transaction(tx).raw_transaction))


def fund(w3: Web3, population: Population, *, bank, exchange, rng) -> None:
    token = contract("CrowdToken", w3=w3)
    send(token.functions.mint(exchange.address, 10**6 * TOKEN), sender=oracle_account())
    for w, worker in enumerate(population.workers):
        if worker["kind"] != "sybil":
            funder = Account.create()
            send_eth(w3, bank, funder.address, 10**18)
            send_eth(w3, funder, worker["account"].address, 10**17)
            if worker["kind"] == "honest" and w % 5 == 0:
                send(token.functions.transfer(worker["account"].address, TOKEN), sender=exchange)
    for ring in population.rings:
        owner = Account.create()
        send_eth(w3, bank, owner.address, 10**19)
        for member in ring["members"]:
            source = owner
            if ring["evasive"]:
                source = Account.create()
                send_eth(w3, owner, source.address, 10**18)
            send_eth(w3, source, population.workers[member]["account"].address, 10**17)


def make_job(*, w3: Web3, requester, seed: int) -> tuple[Job, dict[int, int]]:
    token, management = contract("CrowdToken", w3=w3), contract("JobManagement", w3=w3)
    budget = N_ITEMS * 5 * TOKEN
    send(token.functions.mint(requester.address, budget), sender=oracle_account())
    send(token.functions.approve(management.address, budget), sender=requester)
    deadline = w3.eth.get_block("latest")["timestamp"] + 86_400
    created = send(
        management.functions.createJob(N_ITEMS, N_CLASSES, 5, TOKEN, deadline, budget, b"\x42" * 32), sender=requester
    )
    (event,) = management.events.JobCreated().process_receipt(
        created.receipt, errors=DISCARD
    )  # also holds Transfer logs
    job = Job.objects.create(
        requester=get_user_model().objects.get_or_create(address=requester.address)[0],
        name=f"qualification benchmark {seed}",
        task_type=Job.TaskType.TEXT_CLASSIFICATION,
        redundancy=5,
        price_per_label=TOKEN,
        budget=budget,
        deadline=timezone.now() + timedelta(days=1),
        status=Job.Status.LIVE,
        qualification_bar=PASS_BAR,
        qualification_size=QUALIFICATION_SIZE,
        instance_address=event.args.instance,
        chain_id=w3.eth.chain_id,
        onchain_id=event.args.jobId,
        created_tx=created.tx_hash,
    )
    LabelClass.objects.bulk_create(LabelClass(job=job, index=i, name=str(i), shortcut=str(i)) for i in range(N_CLASSES))
    cid = store_blob(data=b"an item", content_type="text/plain")
    items = Item.objects.bulk_create(
        Item(job=job, index=i, content_cid=cid, media_type="text/plain", is_gold=i < N_GOLD, labels_needed=5)
        for i in range(N_ITEMS)
    )
    rng = np.random.default_rng(seed)
    truth = {item.pk: int(rng.integers(N_CLASSES)) for item in items}
    GoldAnswer.objects.bulk_create(GoldAnswer(item=item, label_index=truth[item.pk]) for item in items[:N_GOLD])
    split_gold(job=job)  # as going live does
    return job, truth


def qualify(*, job: Job, user, accuracy: float, truth: dict[int, int], rng) -> bool:
    """Up to MAX_ATTEMPTS rounds through the labeling app's code; True when admitted on chain."""
    for _ in range(MAX_ATTEMPTS):
        try:
            round_ = start_qualification(job=job, worker=user)
        except LabelingError:  # no attempt left, or a wait the job's rules impose
            return False
        feedback = None
        for item_id in round_.item_ids:
            feedback = answer_qualification(
                job=job, worker=user, item_id=item_id, answer=answer(rng, truth[item_id], accuracy)
            )
        if feedback.passed:
            return Qualification.objects.get(job=job, worker=user).admitted
        # The wait between attempts passes (whatever the job's rule for it): it runs from when the
        # failed round was decided (qualification.retry_at).
        Qualification.objects.filter(job=job, worker=user).update(finished_at=timezone.now() - timedelta(days=30))
    return False


def label(*, job: Job, population: Population, users: list, admitted: set[int], truth: dict[int, int], rng) -> None:
    items = list(Item.objects.filter(job=job).order_by("index").values_list("pk", "is_gold", "gold_role"))
    gold = [pk for pk, _, role in items if role == GoldRole.HONEYPOT]
    plain = [pk for pk, is_gold, _ in items if not is_gold]
    n_gold = int(ITEMS_PER_WORKER * HONEYPOT_RATE)

    def pick() -> list[int]:
        return [int(i) for i in rng.choice(gold, n_gold, replace=False)] + [
            int(i) for i in rng.choice(plain, ITEMS_PER_WORKER - n_gold, replace=False)
        ]

    ring_work: dict[int, dict[int, int]] = {}
    records = []
    for w in sorted(admitted):
        worker = population.workers[w]
        if worker["kind"] == "sybil":
            work = ring_work.get(worker["ring"])
            if work is None:  # the operator labels once; every wallet of the ring reuses its answers
                work = ring_work[worker["ring"]] = {i: answer(rng, truth[i], worker["accuracy"]) for i in pick()}
            answers = {i: int(rng.integers(N_CLASSES)) if rng.random() < COPY_NOISE else a for i, a in work.items()}
        elif worker["kind"] == "spammer":
            answers = {i: int(rng.integers(N_CLASSES)) for i in pick()}
        else:
            answers = {i: answer(rng, truth[i], worker["accuracy"]) for i in pick()}
        times = rng.lognormal(np.log(worker["ms"]), 0.5, size=len(answers))
        records.append((users[w], answers, times))
    for user, answers, times in records:
        batch = LabelBatch.objects.create(
            job=job, worker=user, mode=LabelBatch.Mode.RELAYED, packed="0x", status="confirmed"
        )
        Label.objects.bulk_create(
            Label(batch=batch, job=job, item_id=i, worker=user, label_index=a, answer_ms=int(t), status="confirmed")
            for (i, a), t in zip(answers.items(), times)
        )


def run_once(*, w3: Web3, keys: list[str], seed: int, honest: int, spammers: int, rings: int) -> dict:
    rng = np.random.default_rng(seed)
    population = Population(rng=rng, honest=honest, spammers=spammers, rings=rings)
    bank, requester, exchange = (Account.from_key(k) for k in keys[2:5])
    settings.INTEGRITY_IGNORED_FUNDERS = [exchange.address]
    fund(w3, population, bank=bank, exchange=exchange, rng=rng)
    job, truth = make_job(w3=w3, requester=requester, seed=seed)
    users = [get_user_model().objects.create_user(address=w["account"].address) for w in population.workers]
    admitted = {
        w for w, worker in enumerate(population.workers)
        if qualify(job=job, user=users[w], accuracy=worker["accuracy"], truth=truth, rng=rng)
    }  # fmt: skip
    label(job=job, population=population, users=users, admitted=admitted, truth=truth, rng=rng)
    # Timed apart: the first-funder scan (replayed traces on anvil, an index on an archive node), then
    # the assessment itself, which finds every funder in the cache the scan filled.
    started = time.perf_counter()
    wallet_funders(w3=w3, addresses=[population.workers[w]["account"].address for w in admitted])
    funding_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    assessment = assess_job(job=job)
    assess_ms = (time.perf_counter() - started) * 1000
    # assess_job's worker positions are the job's labelling users in primary-key order.
    position = {pk: w for w, pk in enumerate(sorted(users[w].pk for w in admitted))}
    index_of_user = {user.pk: w for w, user in enumerate(users)}
    by_position = {p: index_of_user[pk] for pk, p in position.items()}
    flagged = {by_position[p] for p in assessment.flagged()}
    clustered = [{by_position[p] for p in cluster} for cluster in assessment.clusters]
    in_cluster = set().union(*clustered) if clustered else set()

    def kind(k: str) -> list[int]:
        return [w for w, worker in enumerate(population.workers) if worker["kind"] == k]

    found = {"funded": [0, 0], "evasive": [0, 0]}
    for ring in population.rings:
        through = set(ring["members"]) & admitted
        if len(through) < 2:
            continue
        best = max((len(through & c) for c in clustered), default=0)
        tally = found["evasive" if ring["evasive"] else "funded"]
        tally[0] += best >= 2 / 3 * len(through)
        tally[1] += 1
    non_sybil = [w for w in admitted if population.workers[w]["kind"] != "sybil"]
    return {
        "honest": len(kind("honest")),
        "honest_failed_qualification": sum(w not in admitted for w in kind("honest")),
        "honest_flagged": sum(w in flagged for w in kind("honest") if w in admitted),
        "spammers": len(kind("spammer")),
        "spammers_passed_qualification": sum(w in admitted for w in kind("spammer")),
        "spammers_unflagged": sum(w in admitted and w not in flagged for w in kind("spammer")),
        "rings_found": found,
        "non_sybil_admitted": len(non_sybil),
        "non_sybil_in_cluster": sum(w in in_cluster for w in non_sybil),
        "assess_ms": assess_ms,
        "funding_ms": funding_ms,
        "blocks": w3.eth.block_number,
        "workers_assessed": len(admitted),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--honest", type=int, default=60)
    parser.add_argument("--spammers", type=int, default=20)
    parser.add_argument("--rings", type=int, default=10)
    args = parser.parse_args()
    settings.STORAGE_DIR = Path(_scratch) / "blobs"
    settings.IPFS_API_URL = ""
    call_command("migrate", verbosity=0)
    keys = dev_private_keys(5)
    with start_local_chain() as chain:
        settings.CHAIN_RPC_URL = chain.url
        w3 = Web3(Web3.HTTPProvider(chain.url))
        deploy_contracts(w3=w3, deployer=Account.from_key(keys[0]))
        runs = [
            run_once(w3=w3, keys=keys, seed=seed, honest=args.honest, spammers=args.spammers, rings=args.rings)
            for seed in range(args.repeat)
        ]
    total = {key: sum(r[key] for r in runs) for key in runs[0] if key not in ("rings_found", "blocks")}
    found = {kind: [sum(r["rings_found"][kind][i] for r in runs) for i in (0, 1)] for kind in ("funded", "evasive")}
    rings_found = found["funded"][0] + found["evasive"][0]
    rings_admitted = found["funded"][1] + found["evasive"][1]
    result = {
        "spammers_admitted": total["spammers_unflagged"] / total["spammers"],
        "honest_rejected": (total["honest_failed_qualification"] + total["honest_flagged"]) / total["honest"],
        "sybil_recall": rings_found / rings_admitted if rings_admitted else None,
        "sybil_false_positive": total["non_sybil_in_cluster"] / total["non_sybil_admitted"],
        "detail": {
            "repetitions": args.repeat,
            "spammers_passed_qualification": total["spammers_passed_qualification"] / total["spammers"],
            "honest_failed_qualification": total["honest_failed_qualification"] / total["honest"],
            "honest_flagged": total["honest_flagged"] / total["honest"],
            "rings_admitted": rings_admitted,
            "funded_rings_found": f"{found['funded'][0]}/{found['funded'][1]}",
            "evasive_rings_found": f"{found['evasive'][0]}/{found['evasive'][1]}",
            "assess_ms_per_job": round(total["assess_ms"] / args.repeat, 1),
            "funding_scan_ms_per_job": round(total["funding_ms"] / args.repeat, 1),
            "chain_blocks_at_end": runs[-1]["blocks"],
            "workers_per_job": round(total["workers_assessed"] / args.repeat, 1),
        },
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        if key != "detail":
            print(f"{key:24} {value:.3f}" if isinstance(value, float) else f"{key:24} {value}")
    for key, value in result["detail"].items():
        print(f"  {key:30} {value:.3f}" if isinstance(value, float) else f"  {key:30} {value}")


if __name__ == "__main__":
    main()
