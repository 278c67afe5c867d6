"""The core loop scaled out, as the README's production recipe runs it: PostgreSQL, Redis
(channels-redis), and separate processes — `serve --no-background` (HTTP only), `runworker` (chain
worker, learner, settlement) and `index_chain` — on a real anvil. Everything is driven through the
HTTP API the way the pages and the simulator drive it: a requester creates, imports and funds a text
job; labelers sign in with SIWE, qualify on gold, label and have their EIP-712 batches relayed; the
indexer confirms them; the requester stops the job; the worker settles it; a labeler claims on chain.

It uses its own throwaway database (`crowdal_it_<random>`) and Redis db, never the shared `test`
database that `make test`'s second pass points DATABASE_URL at."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings
from eth_account import Account

from apps.chain.client import send
from apps.chain.local_chain import dev_private_keys, free_port, start_local_chain
from apps.chain.registry import contract_at
from apps.runtime.simulator import Api, ApiRefused, sign_in
from tests.conftest import missing_service
from tests.integration.conftest import FAILED

pytestmark = [pytest.mark.services, pytest.mark.slow]

TOKEN = 10**18
CLASSES = ["positive", "negative"]
# 20 short texts whose class every labeler here knows; every second one is gold.
TEXTS = {
    f"{word} review number {i}": (0 if word in ("great", "lovely") else 1)
    for i, word in enumerate(["great", "awful", "lovely", "terrible"] * 5)
}
REDUNDANCY = 2
PRICE = 1 * TOKEN
LABELERS = 3
REDIS_DB = 5
POLL = 0.3


def wait_for(what: str, probe, *, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(POLL)


# --- services: a throwaway PostgreSQL database and a Redis db ------------------------------------------


def postgres_server_url() -> str:
    """The machine's PostgreSQL server (PG_URL as in the Makefile, else DATABASE_URL when it is
    PostgreSQL, else the default), with the database part left for us to choose."""
    for candidate in (os.environ.get("PG_URL"), os.environ.get("DATABASE_URL")):
        if candidate and candidate.startswith(("postgres://", "postgresql://")):
            return candidate
    return "postgres://postgres@127.0.0.1:5432/postgres"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.fixture
def throwaway_postgres():
    import psycopg

    server = postgres_server_url()
    admin_url = with_database(server, "postgres")
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=2)
    except psycopg.Error as error:
        missing_service(f"PostgreSQL not reachable at {admin_url}: {error}")
    name = f"crowdal_it_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(server, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def throwaway_redis():
    import redis

    base = os.environ.get("REDIS_TEST_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    parts = urlsplit(base)
    url = urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_DB}", "", ""))
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        missing_service(f"Redis not reachable at {url}: {error}")
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


# --- processes ---------------------------------------------------------------------------------------


class Stack:
    def __init__(self, *, env: dict[str, str], log_dir: Path):
        self.env, self.log_dir = env, log_dir
        self.processes: dict[str, subprocess.Popen] = {}

    def manage(self, *args: str, timeout: float = 180) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def start(self, name: str, *args: str) -> None:
        log = open(self.log_dir / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            assert process.poll() is None, f"{name} exited with {process.returncode}"

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)

    def logs(self) -> str:
        return "\n".join(
            f"===== {path.name} =====\n{path.read_text(errors='replace')[-20000:]}"
            for path in sorted(self.log_dir.glob("*.log"))
        )


@pytest.fixture
def stack(tmp_path, throwaway_postgres, throwaway_redis, request):
    chain = start_local_chain(port=free_port(), log_path=tmp_path / "anvil.log")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crowdal_site.settings",
        "DATABASE_URL": throwaway_postgres,
        "REDIS_URL": throwaway_redis,
        "CHAIN_RPC_URL": chain.url,
        # A deployment on localhost: its own key, plain http.
        "SECRET_KEY": "local-test-deployment-key",
        "HTTPS": "0",
        "ORACLE_PRIVATE_KEY": dev_private_keys(1)[0],
        "RELAYER_PRIVATE_KEY": settings.RELAYER_PRIVATE_KEY,
        "GUARDIAN_ADDRESS": settings.GUARDIAN_ADDRESS,
        "CHAIN_DISPUTE_WINDOW_SECONDS": "0",
        "CHAIN_CONTRACT_ADDRESSES": "",
        "CHAIN_CONFIRMATIONS": "0",
        "CHAIN_POLL_SECONDS": "0.3",
        "CHAIN_WORKER_SWEEP_SECONDS": "2",
        "CROWDAL_VAR_DIR": str(tmp_path / "var"),
        "STORAGE_DIR": str(tmp_path / "blobs"),  # the local blob store, shared by the processes
        "IPFS_API_URL": "",
        "PYTHONUNBUFFERED": "1",
    }
    stack = Stack(env=env, log_dir=tmp_path)
    stack.chain = chain
    try:
        stack.manage("migrate", "--no-input")
        stack.deployed = stack.manage("deploy_contracts")
        stack.port = free_port()
        stack.start("serve", "serve", "--no-background", "--port", str(stack.port), "--demo-items", "0")
        stack.start(
            "runworker", "runworker", "crowdal-worker", "crowdal-learner", "crowdal-settlement", "crowdal-batches"
        )
        stack.start("index_chain", "index_chain")
        stack.url = f"http://127.0.0.1:{stack.port}"

        def up():
            stack.check_alive()
            try:
                return requests.get(stack.url + "/signin", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        wait_for("the HTTP server", up, timeout=60)
        yield stack
    finally:
        stack.stop()
        chain.stop()
        report = request.node.stash.get(FAILED, True)
        if report:
            print(stack.logs())
            print("===== anvil.log (tail) =====\n" + (tmp_path / "anvil.log").read_text(errors="replace")[-2000:])


# --- the loop -----------------------------------------------------------------------------------------


def csv_of_texts(gold_rows: set[int]) -> str:
    lines = ["text,gold"]
    for row, (text, label) in enumerate(TEXTS.items()):
        lines.append(f"{text},{CLASSES[label] if row in gold_rows else ''}")
    return "\n".join(lines) + "\n"


def truth_of(api: Api, item: dict) -> int:
    return TEXTS[api.get(item["content_url"]).content.decode()]


def qualify(api: Api, job_id: int) -> str:
    view = api.post(f"/api/jobs/{job_id}/qualification")
    while view["state"] == "running" and view["item"]:
        feedback = api.post(
            f"/api/jobs/{job_id}/qualification/answers",
            {"item": view["item"]["id"], "label": truth_of(api, view["item"])},
        )
        assert feedback["correct"], feedback
        view = api.get(f"/api/jobs/{job_id}/qualification").json()
    # A pass is admitted on chain by the oracle; the page's reload retries an admission that failed.
    deadline = time.monotonic() + 30
    while view["state"] == "passed" and time.monotonic() < deadline:
        time.sleep(POLL)
        view = api.post(f"/api/jobs/{job_id}/qualification")
    return view["state"]


def label_round(api: Api, account, job_id: int, *, count: int) -> list[dict]:
    """One prefetch of items, labelled right, signed as one EIP-712 batch and relayed."""
    from apps.chain.eip712 import sign_typed_data

    items = api.post(f"/api/jobs/{job_id}/next-items", {"count": count})["items"]
    if not items:
        return []
    # Times spread like a person's: a constant time is what the integrity signals flag as a script.
    labels = [
        {"item": item["id"], "label": truth_of(api, item), "answer_ms": 700 + item["id"] * 397 % 1800} for item in items
    ]
    prepared = api.post(f"/api/jobs/{job_id}/batches/prepare", {"labels": labels})
    signature = sign_typed_data(account=account, typed_data=prepared["typed_data"]).to_0x_hex()
    batch = api.post(
        f"/api/jobs/{job_id}/batches",
        {"mode": "relayed", "labels": labels, "nonce": prepared["nonce"], "signature": signature},
    )
    assert batch["status"] in ("pending", "submitted", "confirmed"), batch
    return labels


def test_core_loop_on_postgres_redis_and_separate_processes(stack, throwaway_postgres):
    from web3 import Web3

    started = time.monotonic()
    w3 = Web3(Web3.HTTPProvider(stack.chain.url))
    keys = dev_private_keys(10)
    requester_account = Account.from_key(keys[5])
    labelers = [Account.from_key(key) for key in keys[6 : 6 + LABELERS]]

    # Requester: sign in, create the job, import texts with gold, fund it on chain.
    requester = Api(server=stack.url)
    sign_in(api=requester, account=requester_account)
    deadline = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 7 * 24 * 3600))
    job = requester.post(
        "/api/jobs/",
        {
            "name": "Scale-out sentiment",
            "instructions": "Is the review positive?",
            "task_type": "text_classification",
            "classes": CLASSES,
            "redundancy": REDUNDANCY,
            "price_per_label": str(PRICE),
            "budget": str(PRICE * REDUNDANCY * len(TEXTS)),
            "deadline": deadline,
            "qualification_bar": 0.8,
            "qualification_size": 4,
            "stopping_rule": "manual",
        },
    )
    job_id = job["id"]
    assert job["status"] == "draft", job
    gold_rows = set(range(0, len(TEXTS), 2))  # 10 gold items: the round (4) and honeypots
    files = {"files": ("texts.csv", csv_of_texts(gold_rows).encode(), "text/csv")}
    imported = requester._send(
        lambda: requester.session.post(
            f"{stack.url}/api/jobs/{job_id}/import",
            files=files,
            timeout=60,
            headers={"X-CSRFToken": requester.session.cookies.get("csrftoken", ""), "Referer": stack.url + "/"},
        )
    ).json()
    assert imported["imported"] == imported["items"] == len(TEXTS), imported

    requester.post("/api/jobs/faucet")
    call = requester.get(f"/api/jobs/{job_id}/funding").json()
    budget = int(call["budget"])
    assert int(call["balance"]) >= budget
    token = contract_at("CrowdToken", call["token"], w3=w3)
    management = contract_at("JobManagement", call["management"], w3=w3)
    send(token.functions.approve(Web3.to_checksum_address(call["management"]), budget), sender=requester_account)
    created = send(
        management.functions.createJob(
            call["num_items"],
            call["num_classes"],
            call["redundancy"],
            int(call["price_per_label"]),
            call["deadline"],
            budget,
            bytes.fromhex(call["manifest"].removeprefix("0x")),
        ),
        sender=requester_account,
    )
    assert requester.post(f"/api/jobs/{job_id}/funding", {"tx_hash": created.tx_hash})["status"] == "funding"

    def job_view():
        stack.check_alive()
        return requester.get(f"/api/jobs/{job_id}").json()

    # LIVE only once the separate indexer has seen JobCreated and the runworker has handled it.
    live = wait_for("the job to go live", lambda: (v := job_view())["status"] == "live" and v)
    assert live["instance_address"] and live["onchain_id"] is not None

    # Labelers: sign in, qualify on gold, label in rounds until no item is left for anyone.
    apis = []
    for account in labelers:
        api = Api(server=stack.url)
        sign_in(api=api, account=account)
        assert qualify(api, job_id) == "admitted"
        apis.append(api)
    sent: Counter[str] = Counter()
    for _ in range(20):
        progressed = False
        for api, account in zip(apis, labelers):
            labels = label_round(api, account, job_id, count=4)
            sent[account.address] += len(labels)
            progressed |= bool(labels)
        if not progressed:
            break
    total_sent = sum(sent.values())
    assert total_sent > 0 and len([a for a in sent if sent[a]]) >= 2, sent

    # Every relayed batch confirms: the relayer mined it, the indexer saw LabelsSubmitted.
    def all_confirmed():
        stack.check_alive()
        statuses = [b["status"] for api in apis for b in api.get(f"/api/jobs/{job_id}/batches").json()["batches"]]
        assert "failed" not in statuses, statuses
        return statuses and all(s == "confirmed" for s in statuses)

    wait_for("the batches to confirm", all_confirmed)
    progress = wait_for(
        "confirmed labels in the job's progress",
        lambda: (p := job_view()["progress"])["labels_confirmed"] == total_sent and p,
    )
    assert progress["labels_pending"] == 0

    # No item labelled twice by one worker, none past its redundancy (gold honeypots aside).
    import psycopg

    with psycopg.connect(throwaway_postgres) as db:
        rows = db.execute(
            """SELECT l.worker_id, l.item_id, i.is_gold, l.status FROM labeling_label l
               JOIN jobs_item i ON i.id = l.item_id WHERE l.job_id = %s""",
            (job_id,),
        ).fetchall()
    assert len(rows) == total_sent
    assert {status for *_, status in rows} == {"confirmed"}
    per_worker_item = Counter((worker, item) for worker, item, _, _ in rows)
    assert max(per_worker_item.values()) == 1, per_worker_item
    per_item = Counter(item for _, item, gold, _ in rows if not gold)
    assert per_item and max(per_item.values()) <= REDUNDANCY, per_item

    # The requester stops the job; the runworker settles it.
    assert requester.post(f"/api/jobs/{job_id}/stop")["status"] == "stopped"
    # The requester's wallet closes labelling on chain (the call the stop-call API describes).
    stop = requester.get(f"/api/jobs/{job_id}/stop-call").json()
    send(contract_at("JobInstance", stop["to"], w3=w3).functions.stop(), sender=requester_account)
    wait_for("the job to settle", lambda: job_view()["status"] == "settled")

    # Every labeler who sent labels (all of them right) is paid; one who got no item is not.
    claims = {}
    for api, account in zip(apis, labelers):
        try:
            claims[account.address] = api.get(f"/api/jobs/{job_id}/claim").json()
        except ApiRefused as refused:
            assert refused.status == 404, refused
    with psycopg.connect(throwaway_postgres) as db:
        report = db.execute(
            "SELECT method, report_cid, total FROM rewards_settlement WHERE job_id = %s", (job_id,)
        ).fetchall()
    payees = {a for a in sent if sent[a]}
    if set(claims) != payees:
        with psycopg.connect(throwaway_postgres) as db:
            labels = db.execute(
                """SELECT u.address, i.index, g.label_index, l.label_index FROM labeling_label l
                   JOIN jobs_item i ON i.id = l.item_id JOIN accounts_user u ON u.id = l.worker_id
                   LEFT JOIN jobs_goldanswer g ON g.item_id = i.id WHERE l.job_id = %s ORDER BY i.index""",
                (job_id,),
            ).fetchall()
        pytest.fail(
            f"paid {sorted(claims)}, but labels came from {sorted(payees)}; settlement {report};"
            f" labels (worker, item, gold answer, label): {labels}"
        )
    paid = sum(int(c["amount"]) for c in claims.values())
    assert 0 < paid <= budget
    assert paid <= PRICE * total_sent
    address, claim = max(claims.items(), key=lambda kv: int(kv[1]["amount"]))
    account = next(a for a in labelers if a.address == address)
    assert claim["contract"].lower() == live["instance_address"].lower() and not claim["claimed"]
    before = token.functions.balanceOf(address).call()
    instance = contract_at("JobInstance", claim["contract"], w3=w3)
    send(instance.functions.claim(claim["index"], int(claim["amount"]), claim["proof"]), sender=account)
    assert token.functions.balanceOf(address).call() == before + int(claim["amount"])
    # The indexer sees Claimed: the claim is marked and nothing is claimable from this job any more.
    api = apis[labelers.index(account)]
    wait_for("the claim to be recorded", lambda: api.get(f"/api/jobs/{job_id}/claim").json()["claimed"])

    assert time.monotonic() - started < 120
