"""A simulated crowd for the digits demo job: bot wallets that use a running server's HTTP API the
way the labeling page does — SIWE sign-in, the qualification round, next items, label batches signed
as EIP-712 and relayed by the server to the chain — so a requester watches the whole loop live.

Honest bots answer with their own accuracy, spammers at random. A bot knows the truth because this
is operator tooling: it recognises each digit image it is shown among scikit-learn's bundled digits
(`demo.digit_truth`), never from anything the labeler API reveals."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests
from eth_account import Account
from eth_account.signers.local import LocalAccount

from apps.accounts.wallet_client import answer_challenge
from apps.chain.eip712 import sign_typed_data
from apps.runtime.demo import CLASS_NAMES, digit_truth

PREFETCH = 10  # items asked for at a time, as the labeling page prefetches
BATCH_SIZE = 10
POLL_SECONDS = 1.0
MAX_ADMISSION_TRIES = 3
SERVER_ERROR_RETRIES = 5
MAX_FAILED_BATCHES = 3  # a bot whose batches keep failing gives up instead of spinning


class ApiRefused(RuntimeError):
    def __init__(self, status: int, detail: str):
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail


class NotADigitsJob(RuntimeError):
    pass


@dataclass(frozen=True)
class Bot:
    account: LocalAccount
    honest: bool
    accuracy: float  # the chance an honest bot's label is right; a spammer's answers ignore it
    rng: random.Random


@dataclass
class BotReport:
    address: str
    honest: bool
    qualification: str = "not_started"
    sent: int = 0
    failed: int = 0
    confirmed: int = 0
    error: str = ""


class Api:
    """One labeler's browser: a session carrying its sign-in and CSRF cookies."""

    def __init__(self, *, server: str):
        self.server = server.rstrip("/")
        self.session = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self._send(lambda: self.session.get(self.server + path, timeout=60))

    def post(self, path: str, body: dict | None = None) -> dict:
        def post() -> requests.Response:
            # Read on every call: Django rotates the token at sign-in.
            headers = {"X-CSRFToken": self.session.cookies.get("csrftoken", ""), "Referer": self.server + "/"}
            return self.session.post(self.server + path, json=body or {}, headers=headers, timeout=120)

        return self._send(post).json()

    def _send(self, request: Callable[[], requests.Response]) -> requests.Response:
        """Retry a server error a few times, as a person would press again: under a crowd the embedded
        stack's SQLite refuses a concurrent write now and then ("database is locked")."""
        for attempt in range(SERVER_ERROR_RETRIES):
            response = request()
            if response.status_code < 500:
                break
            time.sleep(0.2 * 2**attempt + random.random() * 0.2)
        _raise_for(response)
        return response


def _raise_for(response: requests.Response) -> None:
    if response.ok:
        return
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:  # an HTML error page
        detail = response.reason
    raise ApiRefused(response.status_code, str(detail))


def sign_in(*, api: Api, account: LocalAccount) -> None:
    """What the sign-in page does: a challenge, the EIP-4361 message written from it, personal_sign, verify."""
    api.get("/signin")  # sets the CSRF cookie the API's writes need
    challenge = api.post("/api/auth/nonce")
    api.post("/api/auth/verify", answer_challenge(challenge=challenge, account=account))


def choose_label(*, bot: Bot, truth: int) -> int:
    if not bot.honest:
        return bot.rng.randrange(len(CLASS_NAMES))
    if bot.rng.random() < bot.accuracy:
        return truth
    return bot.rng.choice([label for label in range(len(CLASS_NAMES)) if label != truth])


def _truth(*, api: Api, item: dict) -> int:
    truth = digit_truth(api.get(item["content_url"]).content)
    if truth is None:
        raise NotADigitsJob(
            f"item {item['id']} is not one of the bundled digits: the simulator drives digits demo jobs"
        )
    return truth


def _start_round(*, api: Api, job_id: int, live_timeout: float) -> dict:
    """Start (or resume) the qualification round, waiting for a job just funded to turn LIVE."""
    deadline = time.monotonic() + live_timeout
    while True:
        try:
            return api.post(f"/api/jobs/{job_id}/qualification")
        except ApiRefused as refused:
            if refused.status != 403 or time.monotonic() > deadline:
                raise
        time.sleep(POLL_SECONDS)


def qualify(*, api: Api, bot: Bot, job_id: int, live_timeout: float) -> str:
    """Answer the round's gold items; the final state: admitted, passed (admission pending) or failed."""
    view = _start_round(api=api, job_id=job_id, live_timeout=live_timeout)
    while view["state"] == "running" and view["item"]:
        item = view["item"]
        answer = {"item": item["id"], "label": choose_label(bot=bot, truth=_truth(api=api, item=item))}
        try:
            api.post(f"/api/jobs/{job_id}/qualification/answers", answer)
        except ApiRefused as refused:
            if refused.status != 400:  # 400 after a pass: admission on chain failed, retried below
                raise
        view = api.get(f"/api/jobs/{job_id}/qualification").json()
    for _ in range(MAX_ADMISSION_TRIES):
        if view["state"] != "passed":
            break
        time.sleep(POLL_SECONDS)
        try:
            view = api.post(f"/api/jobs/{job_id}/qualification")  # the page's reload: admits a passed worker
        except ApiRefused as refused:
            if refused.status != 400:
                raise
    return view["state"]


def _send_batch(*, api: Api, bot: Bot, job_id: int, labels: list[dict]) -> bool:
    """Sign the batch the server prepares (EIP-712) and hand it over for relaying; False if it failed."""
    prepared = api.post(f"/api/jobs/{job_id}/batches/prepare", {"labels": labels})
    signature = sign_typed_data(account=bot.account, typed_data=prepared["typed_data"]).to_0x_hex()
    body = {"mode": "relayed", "labels": labels, "nonce": prepared["nonce"], "signature": signature}
    try:
        api.post(f"/api/jobs/{job_id}/batches", body)
    except ApiRefused as refused:
        if refused.status not in (400, 409):
            raise
        return False
    return True


def label(*, api: Api, bot: Bot, job_id: int, count: int, report: BotReport) -> None:
    failures = 0
    while report.sent < count and failures < MAX_FAILED_BATCHES:
        wanted = min(PREFETCH, count - report.sent)
        items = api.post(f"/api/jobs/{job_id}/next-items", {"count": wanted})["items"]
        if not items:
            return  # nothing left this bot may label
        labels = [
            {
                "item": item["id"],
                "label": choose_label(bot=bot, truth=_truth(api=api, item=item)),
                "answer_ms": bot.rng.randint(400, 3000),
            }
            for item in items
        ]
        for start in range(0, len(labels), BATCH_SIZE):
            batch = labels[start : start + BATCH_SIZE]
            if _send_batch(api=api, bot=bot, job_id=job_id, labels=batch):
                report.sent += len(batch)
            else:
                report.failed += len(batch)
                failures += 1


def wait_confirmed(*, api: Api, job_id: int, timeout: float) -> int:
    """Labels of the bot's recent batches the indexer has confirmed, once none is in flight (or at the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        batches = api.get(f"/api/jobs/{job_id}/batches").json()["batches"]
        in_flight = any(b["status"] in ("pending", "submitted") for b in batches)
        if not in_flight or time.monotonic() > deadline:
            return sum(b["size"] for b in batches if b["status"] == "confirmed")
        time.sleep(POLL_SECONDS)


def run_bot(*, server: str, bot: Bot, job_id: int, labels_per_worker: int, timeout: float) -> BotReport:
    report = BotReport(address=bot.account.address, honest=bot.honest)
    api = Api(server=server)
    try:
        sign_in(api=api, account=bot.account)
        report.qualification = qualify(api=api, bot=bot, job_id=job_id, live_timeout=timeout)
        if report.qualification == "admitted":
            label(api=api, bot=bot, job_id=job_id, count=labels_per_worker, report=report)
            report.confirmed = wait_confirmed(api=api, job_id=job_id, timeout=timeout)
    except ApiRefused as refused:
        # A failed round refuses a retry until its wait is over: that is the bot's outcome, not a crash.
        report.error = refused.detail
    return report


def make_bots(*, workers: int, spammers: int, accuracy: tuple[float, float], seed: int | None) -> list[Bot]:
    """Fresh wallets: from `seed` the same ones every run (a re-run resumes them), otherwise new ones."""
    rng = random.Random(seed)
    bots = []
    for i in range(workers + spammers):
        honest = i < workers
        key = rng.getrandbits(256).to_bytes(32, "big")
        bots.append(
            Bot(
                account=Account.from_key(key),
                honest=honest,
                accuracy=rng.uniform(*accuracy) if honest else 1 / len(CLASS_NAMES),
                rng=random.Random(rng.getrandbits(64)),
            )
        )
    return bots


def simulate(
    *,
    server: str,
    job_id: int,
    bots: list[Bot],
    labels_per_worker: int,
    concurrency: int,
    timeout: float,
    on_done: Callable[[BotReport], None] = lambda report: None,
) -> list[BotReport]:
    def one(bot: Bot) -> BotReport:
        report = run_bot(server=server, bot=bot, job_id=job_id, labels_per_worker=labels_per_worker, timeout=timeout)
        on_done(report)
        return report

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return list(pool.map(one, bots))
