"""The demo job `make run` starts with: scikit-learn's bundled handwritten digits (no download) as
small grey PNGs, funded on chain by an anvil development account exactly as a wallet funds a job —
approve + createJob with the funding call's parameters — so the indexer makes it LIVE.

Item file names are `digit-NNNN.png` (the image's row in `load_digits`), which says nothing about the
class: labelers never see the truth, and operator tooling (the crowd simulator) recovers it from the
image itself with `digit_truth`."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import numpy as np
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from eth_account import Account
from eth_account.signers.local import LocalAccount
from PIL import Image
from web3 import Web3
from web3.exceptions import TransactionNotFound

from apps.chain.client import get_web3
from apps.chain.local_chain import dev_private_keys
from apps.jobs.models import Job
from apps.jobs.selectors import funding_call
from apps.jobs.services import Upload, create_job, import_items, mint_test_tokens, record_funding, send_funding

DEMO_NAME = "Demo: handwritten digits"
DEMO_INSTRUCTIONS = "Which digit is this? Press its key (0–9)."
# In keyboard order: the labeling page gives classes the keys 1…9, 0 by position, so each digit gets its own key.
CLASS_NAMES = [str(digit) for digit in (1, 2, 3, 4, 5, 6, 7, 8, 9, 0)]
DEMO_REQUESTER_KEY_INDEX = 1  # anvil key 0 is the platform's oracle
TOKEN = 10**18
PRICE_PER_LABEL = TOKEN // 10
SCALE = 8  # 8×8 digits become 64×64 pixels, big enough to read on the labeling page
GREY_LEVELS = 16  # load_digits' pixel values run 0..16


@dataclass(frozen=True)
class DemoJob:
    job: Job
    created: bool


def demo_requester() -> LocalAccount:
    return Account.from_key(dev_private_keys(DEMO_REQUESTER_KEY_INDEX + 1)[DEMO_REQUESTER_KEY_INDEX])


@lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    # Dark strokes on white, as a digit is written on paper.
    grey = (255 - digits.images * 255 / GREY_LEVELS).round().astype(np.uint8)
    return grey, digits.target


def digit_png(row: int) -> bytes:
    grey, _ = _digits()
    big = np.kron(grey[row], np.ones((SCALE, SCALE), dtype=np.uint8))
    buffer = io.BytesIO()
    Image.fromarray(big, mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _truth_by_pixels() -> dict[bytes, int]:
    grey, target = _digits()
    return {image.tobytes(): CLASS_NAMES.index(str(digit)) for image, digit in zip(grey, target)}


def digit_truth(png: bytes) -> int | None:
    """The demo item's true class index, from its image bytes; None for an image not from the digits set."""
    with Image.open(io.BytesIO(png)) as image:
        pixels = np.asarray(image.convert("L"))
    return _truth_by_pixels().get(np.ascontiguousarray(pixels[::SCALE, ::SCALE]).tobytes())


def gold_rows(rows: list[int], gold: int) -> list[int]:
    """`gold` rows taken from every class in turn, so a qualification round is not all one digit."""
    _, target = _digits()
    per_class = [[row for row in rows if target[row] == digit] for digit in range(10)]
    interleaved = [row for turn in zip(*per_class) for row in turn]
    return interleaved[:gold]


def _upload(rows: list[int], gold_rows: list[int]) -> Upload:
    _, target = _digits()
    gold_csv = "item,gold\n" + "".join(f"{_file_name(row)},{target[row]}\n" for row in gold_rows)
    return Upload(
        files=[SimpleUploadedFile(_file_name(row), digit_png(row), content_type="image/png") for row in rows],
        gold_file=SimpleUploadedFile("gold.csv", gold_csv.encode(), content_type="text/csv"),
    )


def _file_name(row: int) -> str:
    return f"digit-{row:04d}.png"


def _on_this_chain(job: Job, *, w3: Web3) -> bool:
    """A demo job recorded in the database exists on the chain now running: live with its clone's
    code there, or funded by a transaction that chain has mined (the indexer has yet to see it).
    A chain started afresh under an old database has neither."""
    if job.instance_address:
        return job.chain_id == w3.eth.chain_id and bool(w3.eth.get_code(job.instance_address))
    if not job.created_tx:
        return False
    try:
        return w3.eth.get_transaction_receipt(job.created_tx)["status"] == 1
    except TransactionNotFound:
        return False


def existing_demo(*, w3: Web3) -> Job | None:
    demos = Job.objects.filter(requester__address=demo_requester().address, name=DEMO_NAME).order_by("-pk")
    return next((job for job in demos if _on_this_chain(job, w3=w3)), None)


def _create_draft(*, items: int, gold: int, redundancy: int) -> Job:
    requester, _ = get_user_model().objects.get_or_create(address=demo_requester().address)
    # Whole seconds: createJob takes the deadline as a Unix time, and JobCreated must match it exactly.
    deadline = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    # The bundled set's 1,797 images are all different, as a job requires of its items.
    rows = list(range(min(items, len(_digits()[0]))))
    job = create_job(
        requester=requester,
        name=DEMO_NAME,
        instructions=DEMO_INSTRUCTIONS,
        task_type=Job.TaskType.IMAGE_CLASSIFICATION,
        class_names=CLASS_NAMES,
        redundancy=redundancy,
        price_per_label=PRICE_PER_LABEL,
        budget=PRICE_PER_LABEL * redundancy * len(rows),
        deadline=deadline,
        qualification_bar=0.6,
        qualification_size=5,
        domain="digits",  # passes and reputation are kept per domain (docs/reputation.md)
    )
    try:
        import_items(job=job, upload=_upload(rows, gold_rows(rows, gold)))
    except Exception:
        job.delete()  # a draft without its data would only clutter the requester's list
        raise
    return job


def _fund(job: Job, *, w3: Web3) -> Job:
    """approve + createJob from the requester's development key, with the parameters the funding page
    gives a wallet; the test-token faucet covers the budget first."""
    account = demo_requester()
    call = funding_call(job=job)
    budget = int(call.budget)
    if int(call.balance) < budget:
        mint_test_tokens(address=account.address, amount=budget - int(call.balance))
    created = send_funding(call=call, account=account, w3=w3)
    return record_funding(job=job, by=job.requester, tx_hash=created.tx_hash)


def seed_demo(*, items: int = 400, gold: int = 30, redundancy: int = 3) -> DemoJob:
    """The demo job on the running chain, created and funded unless one already exists there. It
    turns LIVE when the indexer sees its JobCreated, like any wallet-funded job."""
    w3 = get_web3()
    if (job := existing_demo(w3=w3)) is not None:
        return DemoJob(job=job, created=False)
    job = _create_draft(items=items, gold=gold, redundancy=redundancy)
    return DemoJob(job=_fund(job, w3=w3), created=True)


def demo_paths(job: Job) -> dict[str, str]:
    """Where a person looks at the demo: the labeling page and the requester's dashboard."""
    return {
        "label": reverse("labeling:label", args=[job.pk]),
        "dashboard": reverse("cockpit:detail", args=[job.pk]),
    }
