"""A crowd under load, end to end (issue 16): N labelers on two HTTP servers, separate workers (chain
events and settlement; batch sends; the learner: a process each) and indexer, PostgreSQL + Redis,
anvil mining a block a second, the client on the same machine.

Each labeler signs in through SIWE, passes the job's qualification round (the bench knows the gold
answers) and is admitted on chain; then, for --seconds, it loops: next-items (10), 0.5 s of thought
per item, prepare the batch, sign its EIP-712 typed data, POST it relayed. After the load it waits
(at most --drain seconds) for every acknowledged batch to become final, and reads the outcome from
the database:

    acknowledged      labels in batches the API answered 201
    lost              acknowledged labels not confirmed on chain after the drain
    refused_by_chain  batches the chain refused (failed with the chain's reason, or out of sends)
    http_5xx          responses >= 500, of every request
    batches_p95_ms    POST .../batches (the acknowledgement), p95 over the measured load
    prepare_p95_ms    POST .../batches/prepare, p95
    next_items_p95_ms POST .../next-items, p95
    labels_per_s      acknowledged labels / measured seconds
    confirm_p95_s     acknowledgement to confirmed (the batch's created_at -> confirmed_at), p95

Loopback only, bounded in labelers, seconds and drain, and it stops and cleans up by itself (its
own PostgreSQL database crowdal_load_<pid>, Redis db --redis-db flushed, anvil on a free port).

    .venv/bin/python benchmarks/load.py [--json] [--labelers 100] [--seconds 60] [--servers 2]

Needs PostgreSQL (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres) and Redis
(BENCH_REDIS_URL, default redis://127.0.0.1:6379). Figures on a machine shared with other work are
pessimistic: the servers, worker, indexer, anvil, databases and this client share its cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BATCH = 10
THINK_SECONDS = 0.5
CLASSES = 4
GOLD_EVERY = 50  # one item in 50 is gold
QUALIFICATION_SIZE = 4
MAX_LABELERS = 200
MAX_SECONDS = 600


def database_url(server_url: str, name: str) -> str:
    return urlunparse(urlparse(server_url)._replace(path=f"/{name}"))


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


class Stack:
    """The deployment: two `serve --no-background`, one `runworker`, one `index_chain`."""

    def __init__(self, *, env: dict, log_dir: Path):
        self.env, self.log_dir, self.processes = env, log_dir, []

    def manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=True)

    def start(self, name: str, *args: str) -> None:
        with open(self.log_dir / f"{name}.log", "w") as log:
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", *args],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def seed(*, pool: int) -> tuple[int, dict[int, int]]:
    """The job on chain (funded JobInstance) and in the database (LIVE); returns its id and the gold
    answers by item pk."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from eth_account import Account
    from web3._utils.events import EventLogErrorFlags

    from apps.chain.client import get_web3, oracle_account, send
    from apps.chain.local_chain import dev_private_keys
    from apps.chain.registry import contract
    from apps.jobs.models import GoldAnswer, Item, Job, LabelClass
    from apps.jobs.services import split_gold
    from apps.storage.services import store_blob

    w3, token_unit = get_web3(), 10**18
    requester = Account.from_key(dev_private_keys(2)[1])
    token, management = contract("CrowdToken", w3=w3), contract("JobManagement", w3=w3)
    budget = pool * 3 * token_unit
    send(token.functions.mint(requester.address, budget), sender=oracle_account())
    send(token.functions.approve(management.address, budget), sender=requester)
    deadline = w3.eth.get_block("latest")["timestamp"] + 86_400
    created = send(
        management.functions.createJob(pool, CLASSES, 3, token_unit, deadline, budget, b"\x42" * 32), sender=requester
    )
    (event,) = management.events.JobCreated().process_receipt(created.receipt, errors=EventLogErrorFlags.Discard)
    job = Job.objects.create(
        requester=get_user_model().objects.get_or_create(address=requester.address)[0],
        name="load benchmark",
        task_type=Job.TaskType.TEXT_CLASSIFICATION,
        redundancy=3,
        price_per_label=token_unit,
        budget=budget,
        deadline=timezone.now() + timedelta(days=1),
        status=Job.Status.LIVE,
        qualification_bar=0.75,
        qualification_size=QUALIFICATION_SIZE,
        instance_address=event.args.instance,
        chain_id=w3.eth.chain_id,
        onchain_id=event.args.jobId,
        created_tx=created.tx_hash,
        stopping_rule=Job.StoppingRule.MANUAL,
    )
    LabelClass.objects.bulk_create(
        LabelClass(job=job, index=i, name=f"c{i}", shortcut=str(i + 1)) for i in range(CLASSES)
    )
    cid = store_blob(data=b"an item to label", content_type="text/plain")
    items = Item.objects.bulk_create(
        (
            Item(
                job=job,
                index=i,
                content_cid=cid,
                media_type="text/plain",
                is_gold=i % GOLD_EVERY == 0,
                labels_needed=3,
                priority=random.random(),
            )
            for i in range(pool)
        ),
        batch_size=5000,
    )
    gold = {item.pk: item.index % CLASSES for item in items if item.is_gold}  # every item's class is index % CLASSES
    GoldAnswer.objects.bulk_create(GoldAnswer(item_id=pk, label_index=label) for pk, label in gold.items())
    split_gold(job=job)  # as going live does: qualification gold apart from the honeypots
    return job.pk, gold


def careful_answer(index: int) -> int:
    """A careful labeler's answer: the item's class (index mod CLASSES) four times in five."""
    return index % CLASSES if random.random() < 0.8 else random.randrange(CLASSES)


class Recorder:
    def __init__(self) -> None:
        self.timings: dict[str, list[float]] = {"batches": [], "prepare": [], "next_items": []}
        self.http_5xx = 0
        self.acknowledged = 0
        self.refused_by_api: list[str] = []
        self.measuring = False


async def call(http, recorder: Recorder, method: str, path: str, body=None, timing: str | None = None):
    started = time.perf_counter()
    headers = {"X-CSRFToken": http.cookie_jar.filter_cookies(http._base_url).get("csrftoken").value}
    async with http.request(method, path, json=body, headers=headers) as reply:
        data = await reply.json(content_type=None)
    if timing and recorder.measuring:
        recorder.timings[timing].append((time.perf_counter() - started) * 1000)
    if reply.status >= 500:
        recorder.http_5xx += 1
    return reply.status, data


async def labeler(*, base: str, job_id: int, gold: dict[int, int], recorder: Recorder, until, ready) -> None:
    """One labeler's page; `until()` is the end of the load, known once everyone is admitted."""
    import aiohttp
    from eth_account import Account

    from apps.accounts.wallet_client import answer_challenge
    from apps.chain.eip712 import sign_typed_data

    account = Account.create()
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(base_url=base, cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=120)) as http:
        async with http.get("/signin"):
            pass
        _, challenge = await call(http, recorder, "POST", "/api/auth/nonce")
        verify = answer_challenge(challenge=challenge, account=account)
        status, body = await call(http, recorder, "POST", "/api/auth/verify", verify)
        assert status == 200, body
        status, view = await call(http, recorder, "POST", f"/api/jobs/{job_id}/qualification")
        while view.get("state") == "running" and view.get("item"):
            answer = {"item": view["item"]["id"], "label": gold[view["item"]["id"]]}
            await call(http, recorder, "POST", f"/api/jobs/{job_id}/qualification/answers", answer)
            async with http.get(f"/api/jobs/{job_id}/qualification") as reply:
                view = await reply.json()
        for _ in range(30):  # a pass whose admission on chain failed is admitted on the page's reload
            if view.get("state") != "passed":
                break
            await asyncio.sleep(1)
            _, view = await call(http, recorder, "POST", f"/api/jobs/{job_id}/qualification")
        assert view.get("state") == "admitted", view
        await ready()
        while time.monotonic() < until():
            status, served = await call(
                http, recorder, "POST", f"/api/jobs/{job_id}/next-items", {"count": BATCH}, timing="next_items"
            )
            items = served.get("items", []) if status == 200 else []
            if not items:
                await asyncio.sleep(1)
                continue
            labels = []
            for item in items:
                await asyncio.sleep(random.uniform(0.6, 1.4) * THINK_SECONDS)
                labels.append(
                    {"item": item["id"], "label": careful_answer(item["index"]), "answer_ms": random.randint(400, 3000)}
                )
            status, prepared = await call(
                http, recorder, "POST", f"/api/jobs/{job_id}/batches/prepare", {"labels": labels}, timing="prepare"
            )
            if status != 200:
                recorder.refused_by_api.append(f"prepare {status}: {prepared.get('detail')}")
                continue
            signature = sign_typed_data(account=account, typed_data=prepared["typed_data"]).to_0x_hex()
            body = {"mode": "relayed", "labels": labels, "nonce": prepared["nonce"], "signature": signature}
            status, answer = await call(http, recorder, "POST", f"/api/jobs/{job_id}/batches", body, timing="batches")
            if status == 201:
                if recorder.measuring:
                    recorder.acknowledged += len(labels)
            else:
                recorder.refused_by_api.append(f"batches {status}: {answer.get('detail')}")


async def load(*, bases: list[str], job_id: int, gold: dict, labelers: int, seconds: float) -> Recorder:
    """Sign in and qualify everyone, then run the measured load for `seconds`."""
    recorder = Recorder()
    admitted, everyone_in = 0, asyncio.Event()

    async def ready() -> None:
        nonlocal admitted
        admitted += 1
        if admitted == labelers:
            everyone_in.set()
        await everyone_in.wait()

    end = {"at": float("inf")}

    async def clock() -> None:
        """Measure from the moment everyone is in for `seconds`; a batch acknowledged later is not counted."""
        await everyone_in.wait()
        recorder.measuring = True
        end["at"] = time.monotonic() + seconds
        await asyncio.sleep(seconds)
        recorder.measuring = False

    timer = asyncio.ensure_future(clock())
    await asyncio.gather(
        *(
            labeler(
                base=bases[n % len(bases)],
                job_id=job_id,
                gold=gold,
                recorder=recorder,
                until=lambda: end["at"],
                ready=ready,
            )
            for n in range(labelers)
        )
    )
    await timer
    return recorder


def outcome(*, job_id: int, measured_from, drain: float) -> dict:
    """Wait for the batches in flight to become final (at most `drain` seconds), then read them."""
    from django.db.models import Count, Q

    from apps.labeling.models import Label, LabelBatch

    in_flight = LabelBatch.objects.filter(
        job_id=job_id, status__in=[LabelBatch.Status.PENDING, LabelBatch.Status.SUBMITTED]
    )
    deadline = time.monotonic() + drain
    while in_flight.exists() and time.monotonic() < deadline:
        time.sleep(1)
    batches = LabelBatch.objects.filter(job_id=job_id, created_at__gte=measured_from)
    failed = batches.filter(status=LabelBatch.Status.FAILED)
    confirmed = list(batches.filter(status=LabelBatch.Status.CONFIRMED).only("created_at", "sent_at", "confirmed_at"))
    confirm = [(b.confirmed_at - b.created_at).total_seconds() for b in confirmed]
    sent = [(b.sent_at - b.created_at).total_seconds() for b in confirmed if b.sent_at]
    labels = Label.objects.filter(batch__in=batches)
    counts = labels.aggregate(total=Count("pk"), confirmed=Count("pk", filter=Q(status=Label.Status.CONFIRMED)))
    return {
        "batches": batches.count(),
        "labels_recorded": counts["total"],
        "lost": counts["total"] - counts["confirmed"],
        "refused_by_chain": failed.count(),
        "failed_reasons": sorted(set(failed.values_list("error", flat=True)))[:5],
        "still_in_flight": in_flight.count(),
        "confirm_p50_s": round(percentile(confirm, 50), 2),
        "confirm_p95_s": round(percentile(confirm, 95), 2),
        "sent_p95_s": round(percentile(sent, 95), 2),
        "send_attempts_max": max(batches.values_list("send_attempts", flat=True), default=0),
    }


def close_labelling_on_chain(*, job_id: int) -> None:
    """The requester's wallet sends stop() once the batches in flight have landed, as the job page
    does after the stop: labelling closes on chain and the settlement may post its root."""
    from eth_account import Account

    from apps.chain.client import send
    from apps.chain.local_chain import dev_private_keys
    from apps.chain.registry import job_instance
    from apps.jobs.models import Job

    requester = Account.from_key(dev_private_keys(2)[1])  # seed()'s requester
    send(job_instance(Job.objects.get(pk=job_id).instance_address).functions.stop(), sender=requester)


def settlement_outcome(*, job_id: int, timeout: float) -> dict:
    """After a stop: wait for the settlement (the worker runs it), then compare who is paid with who
    has confirmed labels."""
    from django.db.models import Count

    from apps.labeling.models import Label
    from apps.rewards.models import Payout, Settlement

    deadline = time.monotonic() + timeout
    while (
        time.monotonic() < deadline and not Settlement.objects.filter(job_id=job_id, step=Settlement.Step.DONE).exists()
    ):
        time.sleep(1)
    confirmed = dict(
        Label.objects.filter(job_id=job_id, status=Label.Status.CONFIRMED)
        .values_list("worker_id")
        .annotate(n=Count("pk"))
        .values_list("worker_id", "n")
    )
    paid = set(Payout.objects.filter(job_id=job_id, amount__gt=0).values_list("worker_id", flat=True))
    step = Settlement.objects.filter(job_id=job_id).values_list("step", flat=True).first()
    return {
        "settlement_step": step,
        "workers_with_confirmed_labels": len(confirmed),
        "workers_paid": len(paid & set(confirmed)),
        "confirmed_labels_unpaid": sum(n for worker, n in confirmed.items() if worker not in paid),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--labelers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--pool", type=int, default=8000, help="items in the job (3 labels each)")
    parser.add_argument("--drain", type=float, default=60, help="seconds to wait after the load for batches in flight")
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument(
        "--stop",
        action="store_true",
        help="stop the job the moment the load ends (batches in flight) and wait for its settlement: every confirmed label paid?",
    )
    args = parser.parse_args()
    if not 1 <= args.labelers <= MAX_LABELERS or not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--labelers 1..{MAX_LABELERS}, --seconds up to {MAX_SECONDS}")
    print(
        json.dumps(run(**vars(args))) if args.json else "\n".join(f"{k:>20}  {v}" for k, v in run(**vars(args)).items())
    )


def run(
    *, labelers: int, seconds: float, servers: int, pool: int, drain: float, redis_db: int, stop: bool = False, **_
) -> dict:
    import psycopg
    import redis
    from eth_account import Account

    from apps.chain.local_chain import dev_private_keys, free_port, start_local_chain

    pg_server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    redis_url = f"{os.environ.get('BENCH_REDIS_URL', 'redis://127.0.0.1:6379').rstrip('/')}/{redis_db}"
    name = f"crowdal_load_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="crowdal-load-"))
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(redis_url).flushdb()
    chain_port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crowdal_site.settings",
        "DATABASE_URL": database_url(pg_server, name),
        "REDIS_URL": redis_url,
        "CHAIN_RPC_URL": f"http://127.0.0.1:{chain_port}",
        # The three keys of a deployment (docs/security.md), from anvil's development accounts.
        "ORACLE_PRIVATE_KEY": dev_private_keys(12)[0],
        "RELAYER_PRIVATE_KEY": dev_private_keys(12)[10],
        "GUARDIAN_ADDRESS": Account.from_key(dev_private_keys(12)[11]).address,
        "CHAIN_DISPUTE_WINDOW_SECONDS": "0",
        "SECRET_KEY": "local-load-benchmark-key",
        "HTTPS": "0",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "CHAIN_CONFIRMATIONS": "1",
        "CHAIN_POLL_SECONDS": "0.5",
        "CHAIN_WORKER_SWEEP_SECONDS": "5",
        "LABELING_SEND_SWEEP_SECONDS": "2",
        "CROWDAL_VAR_DIR": str(work / "var"),
        "STORAGE_DIR": str(work / "blobs"),
        "IPFS_API_URL": "",
        "DB_POOL": os.environ.get("DB_POOL", "20"),
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(env)
    import django

    django.setup()
    chain = start_local_chain(port=chain_port, block_time=1, log_path=work / "anvil.log")
    stack = Stack(env=env, log_dir=work)
    try:
        from django.core.management import call_command
        from django.utils import timezone

        from apps.chain.client import get_web3, oracle_account
        from apps.chain.deploy import deploy_contracts

        call_command("migrate", verbosity=0, interactive=False)
        deploy_contracts(w3=get_web3(), deployer=oracle_account())
        job_id, gold = seed(pool=pool)
        ports = [free_port() for _ in range(servers)]
        for n, port in enumerate(ports):
            stack.start(f"serve-{n}", "serve", "--no-background", "--port", str(port), "--demo-items", "0")
        # A worker process runs its consumers' synchronous code on one thread: the learner's retrains
        # and the batch sends get processes of their own, so neither holds up confirmations.
        stack.start("runworker", "runworker", "crowdal-worker", "crowdal-settlement")
        stack.start("runworker-batches", "runworker", "crowdal-batches")
        stack.start("runworker-learner", "runworker", "crowdal-learner")
        stack.start("index_chain", "index_chain")
        wait_until_up(ports)
        started = timezone.now()
        recorder = asyncio.run(
            load(
                bases=[f"http://127.0.0.1:{p}" for p in ports],
                job_id=job_id,
                gold=gold,
                labelers=labelers,
                seconds=seconds,
            )
        )
        settled = {}
        if stop:
            from apps.jobs.services import stop_live_job

            stop_live_job(job_id=job_id)
        result = outcome(job_id=job_id, measured_from=started, drain=drain)
        if stop:
            close_labelling_on_chain(job_id=job_id)
            settled = settlement_outcome(job_id=job_id, timeout=drain + 120)
    finally:
        stack.stop()
        chain.stop()
        from django.db import connections

        connections.close_all()
        with psycopg.connect(pg_server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis.Redis.from_url(redis_url).flushdb()
    return (
        {
            "labelers": labelers,
            "seconds": seconds,
            "servers": servers,
            "acknowledged": recorder.acknowledged,
            "labels_recorded": result["labels_recorded"],  # every acknowledged label, the last seconds' included
            "lost": result["lost"],
            "refused_by_chain": result["refused_by_chain"],
            "refused_by_api": len(recorder.refused_by_api),
            "http_5xx": recorder.http_5xx,
            "batches_p95_ms": round(percentile(recorder.timings["batches"], 95), 1),
            "prepare_p95_ms": round(percentile(recorder.timings["prepare"], 95), 1),
            "next_items_p95_ms": round(percentile(recorder.timings["next_items"], 95), 1),
            "labels_per_s": round(recorder.acknowledged / seconds, 1),
            "confirm_p50_s": result["confirm_p50_s"],
            "confirm_p95_s": result["confirm_p95_s"],
            "sent_p95_s": result["sent_p95_s"],  # acknowledgement to sent by the batch worker
            "still_in_flight": result["still_in_flight"],
            "send_attempts_max": result["send_attempts_max"],
            "failed_reasons": result["failed_reasons"] + sorted(set(recorder.refused_by_api))[:3],
            "logs": str(work),
        }
        | settled
    )


def wait_until_up(ports: list[int]) -> None:
    import requests

    deadline = time.monotonic() + 90
    for port in ports:
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/signin", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server on port {port} did not come up")
            time.sleep(0.5)


if __name__ == "__main__":
    main()
