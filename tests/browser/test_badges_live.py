"""A labeler one step from the gold tier and a 7-day streak labels two items in the browser; once the
indexer confirms them, its labeling page shows the new badge and tier without a reload."""

import pytest
from playwright.sync_api import expect

from apps.chain.client import send
from apps.gamification.models import Tier, WorkerProgress
from apps.gamification.services import refresh_progress
from apps.labeling.models import LabelBatch, Qualification
from tests.browser.conftest import off_the_browser_loop, run_the_worker, wait_for
from tests.factories import make_job as make_db_job
from tests.factories import make_user
from tests.gamification.builders import labelled

pytestmark = pytest.mark.browser

TOAST_TIMEOUT_MS = 15_000  # the panel polls every 4 s when the worker's push cannot reach this server


def test_badge_and_tier_appear_live_after_labels_confirm(wallet_page, make_job, dev_accounts, roles, w3, settings):
    settings.CHAIN_CONFIRMATIONS = 0
    account = dev_accounts[6]
    on_chain = make_job(num_items=12, num_classes=2, redundancy=2)
    job = make_db_job(
        requester=make_user(roles.requester.address),
        num_items=12,
        class_names=("no", "yes"),
        redundancy=2,
        status="live",
        instance_address=on_chain.instance.address,
    )
    admitted = send(on_chain.instance.functions.admitWorkers([account.address]), sender=roles.oracle)
    worker = make_user(account.address)
    Qualification.objects.create(job=job, worker=worker, passed=True, admitted_tx=admitted.tx_hash)
    # Earlier work: 189 labels on the six days before today, 20 right gold answers among them:
    # 1,990 points (gold takes 2,000) and a 6-day streak.
    labelled(worker, gold_right=20, plain=19, days_ago=1)
    for day in range(2, 7):
        labelled(worker, plain=30, days_ago=day)
    off_the_browser_loop(lambda: refresh_progress(worker_id=worker.pk))
    assert WorkerProgress.objects.get(worker=worker).points == 1990

    labeler = wallet_page(account)
    labeler.sign_in()
    page = labeler.page
    page.goto(f"/jobs/{job.pk}/label")
    expect(page.locator("[data-tier]")).to_have_text("Silver")
    expect(page.locator("[data-phase]")).to_have_text("Label this item.")
    for key in ("1", "2"):
        item_id = page.locator("[data-item-view]").get_attribute("data-item")
        page.keyboard.press(key)
        expect(page.locator("[data-item-view]")).not_to_have_attribute("data-item", item_id)
    page.get_by_role("button", name="Send now").click()
    expect(page.locator("[data-batches] li")).to_contain_text("pending")  # stored; the batch worker sends it

    run_the_worker(w3)
    wait_for(lambda: LabelBatch.objects.filter(job=job, status="confirmed").exists())

    toasts = page.locator("[data-toasts]")
    expect(toasts).to_contain_text("Badge earned: 7-day streak", timeout=TOAST_TIMEOUT_MS)
    expect(toasts).to_contain_text("Tier changed: Silver → Gold")
    expect(page.locator("[data-tier]")).to_have_text("Gold")
    expect(page.locator('[data-badge="streak_7"]')).to_be_visible()
    assert WorkerProgress.objects.get(worker=worker).tier == Tier.GOLD
