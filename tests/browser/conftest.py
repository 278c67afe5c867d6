"""Browser tests: Debian's chromium, driven by Playwright, against the site served over ASGI by daphne,
with an injected EIP-1193 test wallet that signs with anvil development keys.

The server is a separate daphne process, so it must see the test database. pytest-django's SQLite
test database lives in memory, where no other process can see it; for the tests of this package the
default connection is switched to a migrated SQLite file, and back afterwards, so the rest of the
suite keeps the database it was written against (a PostgreSQL test database is shared as it is).
Browser tests get `transactional_db`: what either side writes is committed and visible to the other,
and the tables are emptied after each test.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from eth_account.messages import SignableMessage, encode_defunct
from eth_account.signers.local import LocalAccount
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright
from web3 import Web3

from apps.chain.local_chain import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_SECONDS = 30

# EIP-1193 error codes a wallet answers with
USER_REJECTED = 4001
UNAUTHORIZED = 4100
UNSUPPORTED_METHOD = 4200


@pytest.fixture(scope="package", autouse=True)
def shared_test_database(browser, django_db_setup, django_db_blocker, tmp_path_factory) -> str:
    """The name of a test database another process can open, in use for this package's tests.

    Switched while Playwright runs (hence `browser`): Django keeps database connections per asyncio
    context whenever an event loop runs in the thread, and Playwright's sync API keeps one running,
    so a connection installed before it started would not be the one the tests see.
    """
    test_database = connections[DEFAULT_DB_ALIAS]
    if not (test_database.vendor == "sqlite" and test_database.is_in_memory_db()):
        yield test_database.settings_dict["NAME"]
        return
    path = tmp_path_factory.mktemp("browser-db") / "test.sqlite3"
    on_file = test_database.__class__({**test_database.settings_dict, "NAME": str(path)}, DEFAULT_DB_ALIAS)
    # Replaced, not closed: closing the last connection to an in-memory database deletes it.
    connections[DEFAULT_DB_ALIAS] = on_file
    try:
        with django_db_blocker.unblock():
            call_command("migrate", verbosity=0, interactive=False)
        yield str(path)
    finally:
        on_file.close()
        connections[DEFAULT_DB_ALIAS] = test_database


@dataclass(frozen=True)
class LiveServer:
    url: str
    storage_dir: Path  # the server's blob store: what a test stores there, the pages can show


@pytest.fixture(scope="package")
def live_asgi_server(shared_test_database, local_chain, tmp_path_factory) -> LiveServer:
    """The site served by daphne (the server the product runs on) on the test database and the
    session's anvil."""
    call_command("build_static", stdout=io.StringIO())
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    storage_dir = tmp_path_factory.mktemp("blobs")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.browser.live_settings",
        "CROWDAL_TEST_DATABASE_NAME": shared_test_database,
        "CHAIN_RPC_URL": local_chain.url,
        # A deployment on localhost: its own key, plain http.
        "SECRET_KEY": "local-test-deployment-key",
        "HTTPS": "0",
        # With CHAIN_RPC_URL set the settings no longer fall back to anvil's keys: pass them.
        "ORACLE_PRIVATE_KEY": settings.ORACLE_PRIVATE_KEY,
        "RELAYER_PRIVATE_KEY": settings.RELAYER_PRIVATE_KEY,
        "GUARDIAN_ADDRESS": settings.GUARDIAN_ADDRESS,
        "CHAIN_DISPUTE_WINDOW_SECONDS": str(settings.CHAIN_DISPUTE_WINDOW_SECONDS),
        "STORAGE_DIR": str(storage_dir),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the server keeps Django's async-safety checks
    log_path = tmp_path_factory.mktemp("daphne") / "daphne.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "crowdal_site.asgi:application"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_serving(url, process, log_path)
        yield LiveServer(url=url, storage_dir=storage_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_serving(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with code {process.returncode}:\n{log_path.read_text()}")
        try:
            if requests.get(url, timeout=5).ok:
                return
        except requests.RequestException:  # not listening yet, or still importing the project
            pass
        time.sleep(0.1)
    raise RuntimeError(f"daphne did not serve {url} within {SERVER_START_SECONDS}s:\n{log_path.read_text()}")


# Playwright's sync API keeps an asyncio loop running on the test thread for as long as it runs. Django
# refuses database queries from such a thread (the tests are synchronous all the same), and the async
# tests of other packages need the thread without a loop: hence the setting, and package scope.
@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no chromium at {CHROMIUM}: run `make chromium` (Playwright cannot download its own here)")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


# window.ethereum as a wallet extension injects it; every request is answered by WalletPage.answer.
WALLET_SCRIPT = """
(() => {
  const listeners = new Map();
  window.ethereum = {
    isCrowdALTestWallet: true,
    async request({ method, params = [] }) {
      const reply = await window.__crowdalTestWallet(method, params);
      if (reply.error) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
      return reply.result;
    },
    on(event, handler) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(handler);
      return this;
    },
    removeListener(event, handler) {
      listeners.get(event)?.delete(handler);
      return this;
    },
    emit(event, value) {
      for (const handler of listeners.get(event) ?? []) handler(value);
    },
  };
})();
"""


def _error(code: int, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


@dataclass
class WalletPage:
    """A browser tab whose wallet holds one development key. `chain_id` is the network the wallet is
    on (change it with `switch_chain`); methods in `rejects` are refused as if the user clicked Reject."""

    context: BrowserContext
    account: LocalAccount
    w3: Web3
    chain_id: int
    rejects: set[str] = field(default_factory=set)
    page: Page = field(init=False)

    def __post_init__(self) -> None:
        self.context.add_init_script(WALLET_SCRIPT)
        self.context.expose_function("__crowdalTestWallet", self.answer)
        self.page = self.context.new_page()

    @property
    def address(self) -> str:
        return self.account.address

    def answer(self, method: str, params: list) -> dict:
        if method in self.rejects:
            return _error(USER_REJECTED, "User rejected the request.")
        handler = {
            "eth_requestAccounts": self._accounts,
            "eth_accounts": self._accounts,
            "eth_chainId": lambda: hex(self.chain_id),
            "personal_sign": lambda data, address: self._sign(address, encode_defunct(hexstr=data)),
            "eth_signTypedData_v4": lambda address, typed_data: self._sign_typed_data(address, json.loads(typed_data)),
            "eth_sendTransaction": self._send_transaction,
        }.get(method)
        if handler is None:
            return _error(UNSUPPORTED_METHOD, f"The test wallet does not support {method}.")
        try:
            return {"result": handler(*params)}
        except PermissionError as error:
            return _error(UNAUTHORIZED, str(error))

    def switch_chain(self, chain_id: int) -> None:
        """The user picks another network in the wallet, which tells every open page."""
        self.chain_id = chain_id
        for page in self.context.pages:
            page.evaluate("chainId => window.ethereum.emit('chainChanged', chainId)", hex(chain_id))

    def sign_in(self) -> None:
        """Sign in through the sign-in page, as a user would."""
        self.page.goto("/signin")
        self.page.get_by_role("button", name="Connect wallet").click()
        expect(self.page.locator("[data-account-address]")).to_have_text(self.address)

    def _accounts(self) -> list[str]:
        return [self.address]

    def _own(self, address: str) -> None:
        if address.lower() != self.address.lower():
            raise PermissionError(f"The test wallet holds {self.address}, not {address}.")

    def _sign(self, address: str, signable: SignableMessage) -> str:
        self._own(address)
        return self.account.sign_message(signable).signature.to_0x_hex()

    def _sign_typed_data(self, address: str, typed_data: dict) -> str:
        self._own(address)
        return self.account.sign_typed_data(full_message=typed_data).signature.to_0x_hex()

    def _send_transaction(self, tx: dict) -> str:
        """Fill in what a wallet fills in (nonce, fees, gas), sign with the key, send to the chain."""
        self._own(tx.get("from", self.address))
        w3 = self.w3
        priority_fee = w3.eth.max_priority_fee
        transaction = {
            "value": int(tx.get("value", "0x0"), 16),
            "data": tx.get("data", "0x"),
            "nonce": w3.eth.get_transaction_count(self.address, "pending"),
            "chainId": self.chain_id,
            "maxPriorityFeePerGas": priority_fee,
            "maxFeePerGas": 2 * w3.eth.get_block("latest")["baseFeePerGas"] + priority_fee,
        }
        if tx.get("to"):  # none when deploying a contract
            transaction["to"] = Web3.to_checksum_address(tx["to"])
        if "gas" in tx:
            transaction["gas"] = int(tx["gas"], 16)
        else:
            transaction["gas"] = w3.eth.estimate_gas({**transaction, "from": self.address})
        signed = self.account.sign_transaction(transaction)
        return w3.eth.send_raw_transaction(signed.raw_transaction).to_0x_hex()


@pytest.fixture
def wallet_page(browser, live_asgi_server, w3, transactional_db, settings):
    """Factory: `wallet_page(account, chain_id=...)` opens a fresh browser context (its own cookies) on
    the live site with a wallet holding `account`, on the local chain unless told otherwise. Blobs the
    test stores go to the server's store, so item content made by factories is served to the pages."""
    settings.STORAGE_DIR = live_asgi_server.storage_dir
    contexts: list[BrowserContext] = []

    def open_page(account: LocalAccount, *, chain_id: int | None = None) -> WalletPage:
        context = browser.new_context(base_url=live_asgi_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return WalletPage(context=context, account=account, w3=w3, chain_id=chain_id or w3.eth.chain_id)

    yield open_page
    for context in contexts:
        context.close()


def off_the_browser_loop(work) -> None:
    """Run `work` (the indexer and the worker's handlers, as the worker process would) on a thread of
    its own: the test thread runs Playwright's event loop, where async_to_sync is refused. The thread
    opens its own connection to the database the test uses (the browser tests' shared file)."""
    main = connections[DEFAULT_DB_ALIAS]
    failures: list[BaseException] = []

    def run() -> None:
        connections[DEFAULT_DB_ALIAS] = main.__class__(main.settings_dict, DEFAULT_DB_ALIAS)
        try:
            work()
        except BaseException as error:  # re-raised on the test thread
            failures.append(error)
        finally:
            connections[DEFAULT_DB_ALIAS].close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def wait_for(condition, *, seconds: float = 15.0):
    """Poll `condition` (a database query, say) until it returns something truthy, and return that."""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)
    return value


def run_the_worker(w3) -> None:
    """What the workers would do: send the relayed batches stored, index the chain, run the handlers."""
    from apps.chain.handlers import handle_pending
    from apps.chain.indexer import index_once
    from apps.labeling.sending import sweep_batches

    off_the_browser_loop(lambda: (sweep_batches(), index_once(w3=w3), handle_pending()))


def create_and_fund_job(page: Page, w3: Web3, *, name: str, csv: bytes, items: int, fields: dict[str, str]):
    """As a signed-in requester: create a draft through the form (`fields`: label text -> value),
    import `csv`, take test tokens, fund it from the wallet, and see it go live. Returns the Job."""
    from apps.jobs.models import Job

    page.goto("/requester/jobs/new")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Task").select_option("text_classification")
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url("**/requester/jobs/*/")
    expect(page.locator("[data-status-badge]")).to_have_text("Draft")
    page.locator("input[name=files]").set_input_files({"name": "items.csv", "mimeType": "text/csv", "buffer": csv})
    page.get_by_role("button", name="Import").click()
    expect(page.locator("[data-stat=items]")).to_have_text(str(items))
    page.get_by_role("button", name="Get test tokens").click()
    expect(page.get_by_role("status")).to_contain_text("Test tokens minted")
    page.get_by_role("button", name="Fund with wallet").click()
    expect(page.get_by_role("status")).to_contain_text("waiting for the chain")
    job = wait_for(lambda: Job.objects.filter(name=name, status=Job.Status.FUNDING).first())
    assert w3.eth.wait_for_transaction_receipt(job.created_tx)["status"] == 1
    run_the_worker(w3)
    expect(page.locator("[data-status-badge]")).to_have_text("Live")
    job.refresh_from_db()
    return job


BOX_IMAGE = (1200, 900)  # shown at 640 × 480 by the labeling page in a 1280 × 800 window


def box_surface(page) -> dict:
    """The drawing surface's screen rectangle, once the item image is decoded and laid out: before
    that the surface may not have its final size, and a drag would land in the wrong pixels."""
    page.wait_for_function(
        """() => {
          const image = document.querySelector("[data-item-view] img");
          const surface = document.querySelector("[data-box-surface]");
          return image && surface && image.complete && image.naturalWidth > 0
            && surface.getBoundingClientRect().width === image.getBoundingClientRect().width;
        }"""
    )
    return page.locator("[data-box-surface]").bounding_box()


@pytest.fixture
def make_box_job(make_job, roles):
    """Factory: a live bounding-box job on chain and in the database, classes "car" and "person",
    `items` images of BOX_IMAGE pixels; `gold` maps item index -> gold boxes (dicts) and makes those
    items the qualification round (`qualification_size` = len(gold))."""
    from PIL import Image

    from apps.boxes.geometry import box_from_dict
    from apps.boxes.services import store_gold_boxes
    from apps.jobs.models import Item, Job
    from apps.storage.services import store_blob
    from tests.factories import make_job as make_db_job
    from tests.factories import make_user

    def create(*, items: int = 3, gold: dict[int, list[dict]] | None = None, **fields):
        gold = gold or {}
        on_chain = make_job(num_items=items, num_classes=16, redundancy=2)  # a box vote's label is its box count
        job = make_db_job(
            requester=make_user(roles.requester.address),
            num_items=items,
            class_names=("car", "person"),
            redundancy=2,
            status=Job.Status.LIVE,
            task_type=Job.TaskType.BOUNDING_BOX,
            instance_address=on_chain.instance.address,
            gold={index: 0 for index in gold},
            qualification_size=len(gold) or 5,
            **fields,
        )
        png = io.BytesIO()
        Image.new("RGB", BOX_IMAGE, (200, 210, 220)).save(png, format="PNG")
        image = store_blob(data=png.getvalue(), content_type="image/png")
        Item.objects.filter(job=job).update(
            content_cid=image, media_type="image/png", width=BOX_IMAGE[0], height=BOX_IMAGE[1]
        )
        by_index = dict(job.items.values_list("index", "pk"))
        store_gold_boxes(items_boxes={by_index[i]: [box_from_dict(b) for b in boxes] for i, boxes in gold.items()})
        return job

    return create


def open_labeling_page(labeler: WalletPage, job) -> Page:
    """Sign in and open the job's labeling page in a 1280 × 800 window."""
    labeler.sign_in()
    labeler.page.set_viewport_size({"width": 1280, "height": 800})
    labeler.page.goto(f"/jobs/{job.pk}/label")
    return labeler.page


@dataclass(frozen=True)
class BoxJobPage:
    job: object  # apps.jobs.models.Job
    labeler: WalletPage
    natural: tuple[int, int]  # the images' pixel size

    @property
    def page(self) -> Page:
        return self.labeler.page


@pytest.fixture
def box_job_page(make_box_job, wallet_page, dev_accounts, roles) -> BoxJobPage:
    """A box job of three images and a labeler admitted to it on chain, on its labeling page."""
    from apps.chain.client import send
    from apps.chain.registry import job_instance
    from apps.labeling.models import Qualification
    from tests.factories import make_user

    job = make_box_job()
    labeler = wallet_page(dev_accounts[5])
    admitted = send(job_instance(job.instance_address).functions.admitWorkers([labeler.address]), sender=roles.oracle)
    Qualification.objects.create(job=job, worker=make_user(labeler.address), passed=True, admitted_tx=admitted.tx_hash)
    page = open_labeling_page(labeler, job)
    expect(page.locator("[data-phase]")).to_have_text("Draw the boxes on this image, then press Enter.")
    return BoxJobPage(job=job, labeler=labeler, natural=BOX_IMAGE)
