"""Issue 4's journey in a real browser: a labeler fails a box qualification round (its boxes miss the
gold boxes), is told when it may retry and, retrying too early, how long is left; waits out the job's
short wait, retries and passes, is admitted on chain, draws boxes on an image with the mouse and
submits them; once the indexer confirms the box vote, the page shows the new badge and tier.

The labeler's earlier work (labels on the six days before today, 490 points) is recorded through
the gamification service, so this one label completes a 7-day streak and reaches the silver tier."""

import re
import time

import pytest
from playwright.sync_api import expect

from apps.boxes.models import BoxAnnotation
from apps.chain.registry import job_instance
from apps.gamification.models import Tier, WorkerProgress
from apps.gamification.services import refresh_progress
from apps.labeling.models import Qualification
from tests.browser.conftest import off_the_browser_loop, open_labeling_page, run_the_worker
from tests.browser.test_box_qualification import GOLD, draw_image_box
from tests.factories import make_user
from tests.gamification.builders import labelled

pytestmark = pytest.mark.browser

WAIT_SECONDS = 5  # the job's wait between attempts, waited out for real
MISS = {"x": 0, "y": 0, "w": 100, "h": 80}  # the top-left corner: overlaps neither gold box
TOAST_TIMEOUT_MS = 15_000  # the panel polls every 4 s when the worker's push cannot reach this server


def answer_round(page, job, *, right: bool) -> None:
    """Draw on both gold images: the gold box itself, or a box of its class that misses it."""
    for n in (1, 2):
        expect(page.locator("[data-phase]")).to_contain_text(f"Qualification: item {n} of 2. Draw a box")
        expect(page.locator("[data-box-gold]")).to_have_count(0)  # no gold shown before answering
        item_id = int(page.locator("[data-item-view]").get_attribute("data-item"))
        (gold,) = GOLD[job.items.get(pk=item_id).index]
        page.keyboard.press(str(gold["class"] + 1))
        draw_image_box(page, gold if right else {**gold, **MISS})
        page.keyboard.press("Enter")
        verdict = r"(0\.99|1\.00), at or above" if right else r"0\.00, below"
        expect(page.locator("[data-feedback]")).to_contain_text(re.compile(f"mean IoU of {verdict} the bar of 0.50"))
        expect(page.locator("[data-box-gold]")).to_have_count(1)  # revealed once answered


def test_fail_wait_pass_draw_and_level_up(make_box_job, wallet_page, dev_accounts, w3, settings):
    settings.CHAIN_CONFIRMATIONS = 0
    job = make_box_job(
        items=4,
        gold=GOLD,
        qualification_bar=0.5,
        qualification_wait_seconds=WAIT_SECONDS,
        qualification_max_attempts=2,
    )
    account = dev_accounts[7]
    worker = make_user(account.address)
    # 44 labels (10 right gold answers) on the six days before today: 44 × 10 + 10 × 5 = 490 points,
    # 10 points short of silver, and a 6-day streak.
    labelled(worker, gold_right=10, plain=9, days_ago=1)
    for day in range(2, 7):
        labelled(worker, plain=5, days_ago=day)
    off_the_browser_loop(lambda: refresh_progress(worker_id=worker.pk))
    assert WorkerProgress.objects.get(worker=worker).points == 490

    labeler = wallet_page(account)
    page = open_labeling_page(labeler, job)
    expect(page.locator("[data-tier]")).to_have_text("Bronze")

    answer_round(page, job, right=False)
    error = page.locator("[data-error]")
    expect(error).to_contain_text("Not passed. 1 attempt left; you can retry from")
    retry = page.get_by_role("button", name="Retry the qualification")
    retry.click()  # before the wait is over: refused, with the time left
    expect(error).to_contain_text(re.compile(r"you can retry later, in [1-5] s"))
    assert Qualification.objects.get(job=job).attempts == 1

    finished = Qualification.objects.get(job=job).finished_at.timestamp()
    time.sleep(max(0.0, finished + WAIT_SECONDS - time.time()) + 0.2)  # the job's wait, and no more
    retry.click()
    answer_round(page, job, right=True)
    expect(page.locator("[data-phase]")).to_have_text("Draw the boxes on this image, then press Enter.", timeout=15_000)
    qualification = Qualification.objects.get(job=job)
    assert qualification.attempts == 2 and qualification.admitted
    index, _, _ = job_instance(job.instance_address, w3=w3).functions.workerInfo(account.address).call()
    assert index > 0

    item_id = int(page.locator("[data-item-view]").get_attribute("data-item"))
    page.keyboard.press("2")  # person
    draw_image_box(page, {"x": 300, "y": 200, "w": 400, "h": 500})
    expect(page.locator("[data-box-list] li")).to_have_count(1)
    page.get_by_role("button", name="Submit boxes").click()
    row = page.locator("[data-batches] li")
    expect(row).to_contain_text("1 box · pending")

    run_the_worker(w3)
    expect(row).to_contain_text("confirmed", timeout=10_000)
    (annotation,) = BoxAnnotation.objects.filter(item_id=item_id, worker=worker, verified=True)
    (box,) = annotation.boxes
    assert box["class"] == 1 and box["w"] == pytest.approx(400, abs=3) and box["h"] == pytest.approx(500, abs=3)

    toasts = page.locator("[data-toasts]")
    expect(toasts).to_contain_text("Badge earned: 7-day streak", timeout=TOAST_TIMEOUT_MS)
    expect(toasts).to_contain_text("Tier changed: Bronze → Silver")
    expect(page.locator("[data-tier]")).to_have_text("Silver")
    expect(page.locator('[data-badge="streak_7"]')).to_be_visible()
    progress = WorkerProgress.objects.get(worker=worker)
    assert progress.tier == Tier.SILVER and progress.points == 500
