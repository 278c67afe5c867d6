"""A labeler in a real browser: signs in, qualifies on gold items with instant feedback, labels from
the keyboard, sends a batch (relayed with an EIP-712 signature, or as a wallet transaction), and sees
it confirmed once the indexer has seen it."""

import pytest
from playwright.sync_api import expect

from apps.jobs.models import GoldAnswer, Item
from apps.labeling.models import Label, LabelBatch
from tests.browser.conftest import run_the_worker
from tests.factories import make_job as make_db_job
from tests.factories import make_user

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("mode", ["relayed", "wallet"])
def test_qualify_label_and_confirm(mode, wallet_page, make_job, dev_accounts, roles, w3, settings):
    settings.CHAIN_CONFIRMATIONS = 0
    on_chain = make_job(num_items=12, num_classes=2, redundancy=2)
    make_db_job(
        requester=make_user(roles.requester.address),
        num_items=12,
        class_names=("no", "yes"),
        gold={0: 0, 1: 1},
        redundancy=2,
        status="live",
        instance_address=on_chain.instance.address,
        qualification_size=2,
        qualification_bar=1.0,
    )
    alice = wallet_page(dev_accounts[5])
    alice.sign_in()
    page = alice.page
    page.goto("/jobs/")
    page.get_by_role("link", name="Qualify").click()

    for n in (1, 2):  # answer each gold item right, from the keyboard ("1" = no, "2" = yes)
        expect(page.locator("[data-phase]")).to_contain_text(f"Qualification: item {n} of 2")
        item_id = int(page.locator("[data-item-view]").get_attribute("data-item"))
        page.keyboard.press(str(GoldAnswer.objects.get(item_id=item_id).label_index + 1))
        expect(page.locator("[data-feedback]")).to_contain_text("Correct")

    expect(page.locator("[data-phase]")).to_have_text("Label this item.", timeout=15_000)
    labeled = []
    for key in ["2", "1", "2"]:
        item_id = page.locator("[data-item-view]").get_attribute("data-item")
        labeled.append(int(item_id))
        page.keyboard.press(key)
        expect(page.locator("[data-item-view]")).not_to_have_attribute("data-item", item_id)
    page.keyboard.press("Backspace")  # undo the last one: it is shown again
    expect(page.locator("[data-item-view]")).to_have_attribute("data-item", str(labeled.pop()))
    expect(page.locator("[data-unsent]")).to_have_text("2")

    if mode == "wallet":
        page.get_by_label("as a transaction from my wallet").check()
    page.get_by_role("button", name="Send now").click()
    batch_row = page.locator("[data-batches] li")
    # A wallet batch is sent by the page; a relayed one is stored, then sent by the batch worker.
    expect(batch_row).to_contain_text("submitted" if mode == "wallet" else "pending")
    assert sorted(Label.objects.values_list("item_id", flat=True)) == sorted(labeled)
    assert not Item.objects.filter(pk__in=labeled, is_gold=True).exists()

    run_the_worker(w3)
    batch = LabelBatch.objects.get()
    assert (batch.mode, batch.status) == (mode, LabelBatch.Status.CONFIRMED)
    expect(batch_row).to_contain_text("confirmed", timeout=10_000)


def test_a_chain_outage_keeps_the_labels_queued_and_sends_them_when_it_is_back(
    wallet_page, make_job, dev_accounts, roles, w3, settings
):
    """The page, told 503 with a retry hint, says so, keeps the labels queued and sends them later."""
    from apps.chain.client import send
    from apps.chain.registry import job_instance
    from apps.labeling.models import Qualification
    from tests.browser.conftest import open_labeling_page

    settings.CHAIN_CONFIRMATIONS = 0
    settings.LABELING_HONEYPOT_RATE = 0.0
    on_chain = make_job(num_items=12, num_classes=2, redundancy=2)
    job = make_db_job(
        requester=make_user(roles.requester.address),
        num_items=12,
        class_names=("no", "yes"),
        gold={0: 0, 1: 1},
        redundancy=2,
        status="live",
        instance_address=on_chain.instance.address,
    )
    labeler = wallet_page(dev_accounts[5])
    admitted = send(job_instance(job.instance_address).functions.admitWorkers([labeler.address]), sender=roles.oracle)
    Qualification.objects.create(job=job, worker=make_user(labeler.address), passed=True, admitted_tx=admitted.tx_hash)
    page = open_labeling_page(labeler, job)
    expect(page.locator("[data-phase]")).to_have_text("Label this item.", timeout=15_000)
    for key in ("1", "2"):
        item_id = page.locator("[data-item-view]").get_attribute("data-item")
        page.keyboard.press(key)
        expect(page.locator("[data-item-view]")).not_to_have_attribute("data-item", item_id)

    # The node is away: the server answers prepare as apps.lib.errors does then (tests/lib covers
    # that answer; the daphne process's node cannot be taken away from the other tests).
    unreachable = {
        "detail": "The chain is unreachable right now; nothing was lost. Try again in a few seconds.",
        "code": "unavailable",
    }
    prepare = f"**/api/jobs/{job.pk}/batches/prepare"
    page.route(prepare, lambda route: route.fulfill(status=503, headers={"Retry-After": "2"}, json=unreachable))
    page.get_by_role("button", name="Send now").click()
    expect(page.locator("[data-error]")).to_contain_text("The chain is unreachable")
    expect(page.locator("[data-error]")).to_contain_text("Your 2 labels are kept")
    expect(page.locator("[data-unsent]")).to_have_text("2")
    assert not LabelBatch.objects.exists()

    page.unroute(prepare)  # back: the page sends them again after the server's Retry-After
    batch_row = page.locator("[data-batches] li")
    expect(batch_row).to_contain_text("2 labels · pending", timeout=15_000)
    run_the_worker(w3)
    expect(batch_row).to_contain_text("confirmed", timeout=10_000)
    assert set(Label.objects.values_list("status", flat=True)) == {Label.Status.CONFIRMED}
