"""Next-item API latency: POST /api/jobs/<id>/next-items over HTTP against the site served by daphne
(the product's ASGI server) on a throwaway PostgreSQL database.

A job of --pool items (1% gold, 3 labels each, random learner priorities) and --concurrency signed-in,
admitted labelers. Each labeler loops: ask for its next item (timed), look at it for --think-ms, and
after every 10 items send them as one wallet-mode batch (POST .../batches, untimed), as the labeling
page does; so the pool fills up, labeled items drop out and honeypots are mixed in while measuring.
Labelers join at random points of their batch cycle, and the first --warmup seconds of load are not
measured (connections, prepared statements and first-call code paths warm up: a running service's
latency, not a cold start's). --think-ms 0 turns it into a closed-loop stress test (latency is then mostly queueing: Little's law).

    python benchmarks/next_item.py [--json] [--pool 100000] [--concurrency 50] [--seconds 20] [--warmup 5]
        [--think-ms 1000] [--servers <cores>]

Needs PostgreSQL (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres: the server
where a database crowdal_bench_<pid> is created and dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CSRF = "b" * 32  # a CSRF secret sent as cookie and header: what a page does, minus the masking
BATCH = 10
FORCE_CLOSE = os.environ.get("BENCH_CLOSE") == "1"


def database_url(server_url: str, name: str) -> str:
    return urlunparse(urlparse(server_url)._replace(path=f"/{name}"))


def create_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(*, pool: int, concurrency: int) -> tuple[int, list[str]]:
    """Migrate, then create the job, its items and admitted labelers; returns the job id and one
    session cookie per labeler."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.utils import timezone

    from apps.jobs.models import GoldAnswer, Item, Job, LabelClass
    from apps.labeling.models import Qualification

    call_command("migrate", verbosity=0, interactive=False)
    User = get_user_model()
    requester = User.objects.create_user("0x" + "11" * 20)
    job = Job.objects.create(
        requester=requester,
        name="bench",
        task_type=Job.TaskType.TEXT_CLASSIFICATION,
        redundancy=3,
        price_per_label=10**18,
        budget=3 * pool * 10**18,
        deadline=timezone.now() + timedelta(days=1),
        status=Job.Status.LIVE,
        instance_address="0x" + "22" * 20,
        # The bench labelers answer at random; the honeypot check still runs on every batch with gold,
        # but never pauses them (a pause would end the measurement, not speed it up).
        honeypot_min=32_767,
    )
    LabelClass.objects.bulk_create(LabelClass(job=job, index=i, name=f"c{i}", shortcut=str(i + 1)) for i in range(4))
    rng = random.Random(7)
    items = Item.objects.bulk_create(
        (
            Item(
                job=job,
                index=i,
                content_cid=f"bafkbench{i}",
                media_type="text/plain",
                source_name=f"row {i}",
                is_gold=i % 100 == 0,
                labels_needed=3,
                priority=rng.random(),
            )
            for i in range(pool)
        ),
        batch_size=5000,
    )
    GoldAnswer.objects.bulk_create(
        (GoldAnswer(item=item, label_index=0) for item in items if item.is_gold), batch_size=5000
    )
    cookies = []
    for n in range(concurrency):
        user = User.objects.create_user("0x" + f"{n + 1:040x}")
        Qualification.objects.create(job=job, worker=user, passed=True, admitted_tx="0x" + "ab" * 32, attempts=1)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(session.session_key)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return job.pk, cookies


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(*, env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "crowdal_site.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("daphne did not start")


async def labeler(
    *, base: str, job_id: int, session_key: str, measure_from: float, until: float, think: float, timings: list[float]
) -> None:
    import aiohttp

    cookies = {"sessionid": session_key, "csrftoken": CSRF}
    headers = {"X-CSRFToken": CSRF, "Accept": "application/json"}
    connector = aiohttp.TCPConnector(force_close=FORCE_CLOSE)
    async with aiohttp.ClientSession(base_url=base, cookies=cookies, headers=headers, connector=connector) as http:
        # A labeler joins at a random point of its batch cycle, with 0-9 items in hand: the steady
        # state of labelers who came at different times, not fifty first batches in the same second.
        # (One more item than it keeps: that lease comes back as its next item.)
        in_hand = random.randrange(BATCH)
        async with http.post(f"/api/jobs/{job_id}/next-items", json={"count": in_hand + 1}) as reply:
            items = (await reply.json())["items"][:in_hand]
        labeled = [{"item": item["id"], "label": random.randrange(4)} for item in items]
        await asyncio.sleep(random.uniform(0, think))  # labelers do not all start in the same instant
        while time.monotonic() < until:
            started = time.perf_counter()
            # As the page does: the answer starts with the leases this labeler holds (its unsent labels).
            async with http.post(f"/api/jobs/{job_id}/next-items", json={"count": len(labeled) + 1}) as reply:
                body = await reply.json()
            if time.monotonic() >= measure_from:  # the warm-up is not measured
                timings.append((time.perf_counter() - started) * 1000)
            held = {entry["item"] for entry in labeled}
            fresh = [item for item in body.get("items", []) if item["id"] not in held]
            if reply.status != 200 or not fresh:
                raise RuntimeError(f"next-items answered {reply.status}: {body}")
            labeled.append({"item": fresh[0]["id"], "label": random.randrange(4)})
            if len(labeled) == BATCH:
                async with http.post(
                    f"/api/jobs/{job_id}/batches", json={"mode": "wallet", "labels": labeled}
                ) as reply:
                    if reply.status != 201:
                        raise RuntimeError(f"batch answered {reply.status}: {await reply.text()}")
                labeled = []
            await asyncio.sleep(random.uniform(0.5, 1.5) * think)


async def load(
    *, bases: list[str], job_id: int, cookies: list[str], warmup: float, seconds: float, think: float
) -> list[float]:
    """Labeler n talks to server n mod len(bases), as sticky sessions behind a proxy would."""
    timings: list[float] = []
    measure_from = time.monotonic() + warmup
    await asyncio.gather(
        *(
            labeler(
                base=bases[n % len(bases)],
                job_id=job_id,
                session_key=c,
                measure_from=measure_from,
                until=measure_from + seconds,
                think=think,
                timings=timings,
            )
            for n, c in enumerate(cookies)
        )
    )
    return timings


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--pool", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20, help="measured")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of load before measuring starts")
    parser.add_argument("--think-ms", type=float, default=1000)
    parser.add_argument(
        "--servers",
        type=int,
        default=os.cpu_count() or 1,
        help="daphne processes; default one per core, as a deployment runs them (a process uses one core: the GIL)",
    )
    args = parser.parse_args()

    server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"crowdal_bench_{os.getpid()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crowdal_site.settings",
        "DATABASE_URL": database_url(server, name),
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only",
        "CHAIN_RPC_URL": "http://127.0.0.1:1",  # next-items and wallet batches never touch the chain
        "HTTPS": "0",  # a deployment on localhost: plain http
        "LOG_LEVEL": "WARNING",
        "DB_POOL": os.environ.get("DB_POOL", "20"),  # as a PostgreSQL deployment runs it (see settings)
    }
    os.environ.update(env)
    create_database(server, name)
    processes: list[subprocess.Popen] = []
    try:
        job_id, cookies = seed(pool=args.pool, concurrency=args.concurrency)
        ports = [free_port() for _ in range(args.servers)]
        processes = [serve(env=env, port=port) for port in ports]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        timings = asyncio.run(
            load(
                bases=bases,
                job_id=job_id,
                cookies=cookies,
                warmup=args.warmup,
                seconds=args.seconds,
                think=args.think_ms / 1000,
            )
        )
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        drop_database(server, name)
    result = {
        "pool": args.pool,
        "concurrency": args.concurrency,
        "p50_ms": round(percentile(timings, 50), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "requests": len(timings),
        "throughput_rps": round(len(timings) / args.seconds, 1),
        "think_ms": args.think_ms,
        "servers": args.servers,
        "warmup_s": args.warmup,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>15}  {value}")


if __name__ == "__main__":
    main()
