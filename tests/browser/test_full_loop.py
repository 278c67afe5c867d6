"""The whole loop in one browser session per person, each with the injected test wallet: a requester
creates a job, imports its items (two of them gold) and funds it; a labeler signs in, qualifies on the
gold, labels the rest and sends a relayed batch, which confirms; the requester stops the job and it is
settled; the labeler claims the payout and sees the token balance grow by it.

The test server runs no worker: what the worker would do (index the chain, run the handlers, settle a
stopped job) the test does with the worker's own functions, off Playwright's event loop."""

import pytest
from playwright.sync_api import expect

from apps.chain.registry import job_instance
from apps.jobs.models import GoldAnswer, Item, Job
from apps.labeling.models import Label, LabelBatch
from apps.rewards.models import Payout, Settlement
from apps.rewards.settlement import settle_job
from tests.browser.conftest import create_and_fund_job, off_the_browser_loop, run_the_worker

pytestmark = pytest.mark.browser

# Six reviews, two of them gold: the qualification round takes both, so no gold comes back as a
# honeypot and the labeler labels exactly the four others.
CSV = (
    b"text,gold\n"
    b"The film was wonderful,positive\n"
    b"A waste of two hours,negative\n"
    b'"A dull, slow plot",\n'
    b"I would watch it again,\n"
    b"The acting carried it,\n"
    b"Forgettable from start to finish,\n"
)
PLAIN_ITEMS = 4
REFRESH_TIMEOUT_MS = 15_000  # the rewards panel refreshes every 5 s


def test_requester_funds_labeler_labels_job_settles_labeler_claims(wallet_page, dev_accounts, deployed, w3, settings):
    settings.CHAIN_CONFIRMATIONS = 0  # the indexer runs in this process: index what anvil has mined
    requester = wallet_page(dev_accounts[1])
    labeler = wallet_page(dev_accounts[5])

    # The requester creates the job, imports the items and funds the escrow from the wallet.
    requester.sign_in()
    page = requester.page
    job = create_and_fund_job(
        page,
        w3,
        name="Film reviews, end to end",
        csv=CSV,
        items=6,
        fields={
            "Classes": "positive\nnegative",
            "Labels per item": "1",
            "Price per label (CROWD)": "0.5",
            "Budget (CROWD)": "10",
            "Qualification bar (share of gold right)": "1",
            "Qualification round size": "2",
        },
    )
    assert Item.objects.filter(job=job, is_gold=True).count() == 2

    # The labeler qualifies on the two gold items, labels the four others and sends them relayed.
    labeler.sign_in()
    work = labeler.page
    work.goto("/jobs/")
    work.get_by_role("link", name="Qualify").click()
    for n in (1, 2):
        expect(work.locator("[data-phase]")).to_contain_text(f"Qualification: item {n} of 2")
        item_id = int(work.locator("[data-item-view]").get_attribute("data-item"))
        work.keyboard.press(str(GoldAnswer.objects.get(item_id=item_id).label_index + 1))
        expect(work.locator("[data-feedback]")).to_contain_text("Correct")
    expect(work.locator("[data-phase]")).to_have_text("Label this item.", timeout=15_000)
    labeled = {}
    for n, key in enumerate(["1", "2", "1", "2"], start=1):
        item_id = work.locator("[data-item-view]").get_attribute("data-item")
        labeled[int(item_id)] = int(key) - 1
        work.keyboard.press(key)
        if n < PLAIN_ITEMS:
            expect(work.locator("[data-item-view]")).not_to_have_attribute("data-item", item_id)
    # Nothing left (the item view keeps the last item's data-item, hidden, so wait on the phase).
    expect(work.locator("[data-phase]")).to_contain_text("No item needs your label right now")
    expect(work.locator("[data-unsent]")).to_have_text(str(PLAIN_ITEMS))
    work.get_by_role("button", name="Send now").click()
    batch_row = work.locator("[data-batches] li")
    expect(batch_row).to_contain_text("pending")  # stored; the batch worker sends it
    run_the_worker(w3)
    expect(batch_row).to_contain_text("confirmed", timeout=10_000)
    batch = LabelBatch.objects.get(job=job)
    assert (batch.mode, batch.status) == ("relayed", LabelBatch.Status.CONFIRMED)
    confirmed = Label.objects.filter(job=job, worker__address=labeler.address, status=Label.Status.CONFIRMED)
    assert dict(confirmed.values_list("item_id", "label_index")) == labeled
    assert not confirmed.filter(item__is_gold=True).exists()

    # The requester stops the job; the settlement worker's code settles it.
    page.reload()
    page.once("dialog", lambda dialog: dialog.accept())
    # The button also has the requester's wallet send stop() (the contract takes the root only then)
    # and reloads the page once it is sent; Playwright serves the wallet while it waits for that.
    with page.expect_navigation(timeout=30_000):
        page.get_by_role("button", name="Stop job").click()
    expect(page.locator("[data-status-badge]")).to_have_text("Stopped")
    job.refresh_from_db()
    assert job_instance(job.instance_address, w3=w3).functions.settlementState().call()[0]
    off_the_browser_loop(lambda: settle_job(job_id=job.pk))
    run_the_worker(w3)
    job.refresh_from_db()
    assert job.status == Job.Status.SETTLED
    page.reload()
    expect(page.locator("[data-report-cid]")).to_have_text(Settlement.objects.get(job=job).report_cid)

    # The labeler claims the payout: the tokens arrive and the rewards panel shows them.
    payout = Payout.objects.get(job=job, worker__address=labeler.address)
    amount = int(payout.amount)
    assert amount > 0
    before = deployed.token.functions.balanceOf(labeler.address).call()
    work.goto("/rewards")
    row = work.locator(f'[data-payout="{job.pk}"]')
    expect(work.locator('[data-reward="claimable"]')).to_have_attribute("data-value", str(amount))
    expect(work.locator('[data-reward="balance"]')).to_have_attribute("data-value", str(before))
    row.get_by_role("button", name="Claim").click()
    expect(row).to_contain_text("waiting for the chain")
    assert deployed.token.functions.balanceOf(labeler.address).call() == before + amount
    run_the_worker(w3)
    expect(row).to_contain_text("Claimed", timeout=REFRESH_TIMEOUT_MS)
    expect(work.locator('[data-reward="claimable"]')).to_have_attribute("data-value", "0")
    expect(work.locator('[data-reward="balance"]')).to_have_attribute("data-value", str(before + amount))
